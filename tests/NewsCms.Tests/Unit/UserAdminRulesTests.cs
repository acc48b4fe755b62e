using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Unit;

public class UserAdminRulesTests
{
    private const string Me = "me";
    private const string Other = "other";

    [Fact]
    public void Nobody_deletes_their_own_account() =>
        Assert.Contains("your own account", UserAdminRules.Check(AccountChange.Delete, Me, Me, targetIsActiveAdministrator: true, activeAdministrators: 3));

    [Fact]
    public void Nobody_locks_their_own_account() =>
        Assert.Contains("your own account", UserAdminRules.Check(AccountChange.Lock, Me, Me, targetIsActiveAdministrator: true, activeAdministrators: 3));

    [Theory]
    [InlineData(AccountChange.Delete, "deleted")]
    [InlineData(AccountChange.Lock, "locked")]
    [InlineData(AccountChange.ChangeRole, "given another role")]
    public void The_last_active_administrator_cannot_be_removed(AccountChange change, string wording)
    {
        var refusal = UserAdminRules.Check(change, Me, Other, targetIsActiveAdministrator: true, activeAdministrators: 1, NewsroomRoles.Editor);
        Assert.NotNull(refusal);
        Assert.Contains("last active Administrator", refusal);
        Assert.Contains(wording, refusal);
    }

    [Fact]
    public void The_last_administrator_cannot_demote_themselves() =>
        Assert.Contains("last active Administrator",
            UserAdminRules.Check(AccountChange.ChangeRole, Me, Me, targetIsActiveAdministrator: true, activeAdministrators: 1, NewsroomRoles.Author));

    [Theory]
    [InlineData(AccountChange.Delete)]
    [InlineData(AccountChange.Lock)]
    [InlineData(AccountChange.ChangeRole)]
    public void An_administrator_can_be_removed_while_another_remains(AccountChange change) =>
        Assert.Null(UserAdminRules.Check(change, Me, Other, targetIsActiveAdministrator: true, activeAdministrators: 2, NewsroomRoles.Editor));

    [Theory]
    [InlineData(AccountChange.Delete)]
    [InlineData(AccountChange.Lock)]
    [InlineData(AccountChange.ChangeRole)]
    public void Other_roles_can_always_be_changed(AccountChange change) =>
        Assert.Null(UserAdminRules.Check(change, Me, Other, targetIsActiveAdministrator: false, activeAdministrators: 1, NewsroomRoles.Author));

    [Fact]
    public void Keeping_the_administrator_role_is_always_allowed() =>
        Assert.Null(UserAdminRules.Check(AccountChange.ChangeRole, Me, Me, targetIsActiveAdministrator: true, activeAdministrators: 1, NewsroomRoles.Administrator));

    [Theory]
    [InlineData(null)]
    [InlineData("Superuser")]
    public void Unknown_roles_are_refused(string? role) =>
        Assert.Contains("Choose one of the roles", UserAdminRules.Check(AccountChange.ChangeRole, Me, Other, false, 2, role));

    [Fact]
    public void Generated_passwords_are_long_unique_and_meet_the_policy()
    {
        var passwords = Enumerable.Range(0, 200).Select(_ => PasswordGenerator.Generate()).ToList();
        Assert.All(passwords, p =>
        {
            Assert.Equal(19, p.Length);
            Assert.True(p.Distinct().Count() >= 4);
        });
        Assert.Equal(passwords.Count, passwords.Distinct().Count());
    }
}
