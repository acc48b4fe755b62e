using Microsoft.AspNetCore.Identity;

namespace NewsCms.Web.Data;

/// <summary>A newsroom account. Every account has exactly one newsroom role.</summary>
public class ApplicationUser : IdentityUser
{
    [PersonalData]
    public string DisplayName { get; set; } = "";

    /// <summary>Set when an administrator chose the password; cleared when the user picks their own.</summary>
    public bool MustChangePassword { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? LastSignInAt { get; set; }

    /// <summary>
    /// The account an integration acts through (<see cref="Features.Integrations.Integration"/>): it has no password or
    /// e-mail, never signs in, and is managed on the integrations page, not among the newsroom's users.
    /// </summary>
    public bool IsIntegration { get; set; }

    /// <summary>The person turned off the newsroom's e-mails (review submissions, changes requested, published) on their account page.</summary>
    public bool NewsroomEmailOff { get; set; }
}
