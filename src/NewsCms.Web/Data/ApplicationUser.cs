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
}
