namespace NewsCms.Web.Features.Users;

public enum AccountChange { Delete, Lock, ChangeRole }

/// <summary>The rules that keep a newsroom from locking itself out. Pure, so they are tested on their own.</summary>
public static class UserAdminRules
{
    /// <param name="actorId">Who asks.</param>
    /// <param name="targetId">The account changed.</param>
    /// <param name="targetIsActiveAdministrator">Whether the account is an Administrator that is not locked.</param>
    /// <param name="activeAdministrators">How many unlocked Administrators exist now.</param>
    /// <param name="newRole">For <see cref="AccountChange.ChangeRole"/>: the role asked for.</param>
    public static string? Check(AccountChange change, string actorId, string targetId, bool targetIsActiveAdministrator,
        int activeAdministrators, string? newRole = null)
    {
        var self = actorId == targetId;
        switch (change)
        {
            case AccountChange.Delete when self:
                return "You cannot delete your own account. Ask another Administrator.";
            case AccountChange.Lock when self:
                return "You cannot lock your own account.";
            case AccountChange.ChangeRole when !NewsroomRoles.IsKnown(newRole):
                return "Choose one of the roles: " + string.Join(", ", NewsroomRoles.All) + ".";
            case AccountChange.ChangeRole when newRole == NewsroomRoles.Administrator:
                return null;
        }

        if (targetIsActiveAdministrator && activeAdministrators <= 1)
        {
            var what = change switch
            {
                AccountChange.Delete => "deleted",
                AccountChange.Lock => "locked",
                _ => "given another role",
            };
            return $"This is the last active Administrator and cannot be {what}. Make another user an Administrator first.";
        }
        return null;
    }
}
