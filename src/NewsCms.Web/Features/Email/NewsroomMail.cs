using System.ComponentModel.DataAnnotations;
using System.Net;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using MimeKit;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Settings;

namespace NewsCms.Web.Features.Email;

/// <summary>Settings under NewsCms:Smtp. With no Host, e-mail is written to the log instead of sent.</summary>
public sealed class SmtpOptions
{
    public const string Section = "NewsCms:Smtp";

    public string? Host { get; set; }

    [Range(1, 65535)]
    public int Port { get; set; } = 587;

    public string? User { get; set; }

    /// <summary>Give it through the environment (NewsCms__Smtp__Password), never in a file.</summary>
    public string? Password { get; set; }

    public string Sender { get; set; } = "NewsCms <newsroom@localhost>";

    /// <summary>Upgrade the connection with STARTTLS when the server offers it.</summary>
    public bool UseStartTls { get; set; } = true;
}

/// <summary>Sends the newsroom's e-mail through SMTP (MailKit), or logs it when SMTP is not configured.</summary>
public sealed class NewsroomMail(IOptions<SmtpOptions> smtpOptions, IOptions<SiteOptions> siteOptions, ILogger<NewsroomMail> logger)
{
    public async Task<bool> SendAsync(string to, string subject, string textBody, CancellationToken ct = default)
    {
        var smtp = smtpOptions.Value;
        if (string.IsNullOrWhiteSpace(smtp.Host))
        {
            logger.LogInformation("SMTP is not configured (NewsCms:Smtp:Host), so this e-mail was not sent. To: {To}. Subject: {Subject}.\n{Body}", to, subject, textBody);
            return true;
        }

        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(smtp.Sender));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = textBody };

        try
        {
            using var client = new SmtpClient();
            await client.ConnectAsync(smtp.Host, smtp.Port, smtp.UseStartTls ? SecureSocketOptions.StartTlsWhenAvailable : SecureSocketOptions.None, ct);
            if (!string.IsNullOrEmpty(smtp.User))
            {
                await client.AuthenticateAsync(smtp.User, smtp.Password ?? "", ct);
            }
            await client.SendAsync(message, ct);
            await client.DisconnectAsync(quit: true, ct);
            logger.LogInformation("Sent e-mail \"{Subject}\" to {To}.", subject, to);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The caller's action (a reset request, a new account) stands; the failure is for the operator's log.
            logger.LogError(ex, "Could not send e-mail \"{Subject}\" to {To} through {Host}:{Port}.", subject, to, smtp.Host, smtp.Port);
            return false;
        }
    }

    public Task<bool> SendNewAccountNoticeAsync(ApplicationUser user, CancellationToken ct = default)
    {
        var signIn = new Uri(siteOptions.Value.BaseUri, "Account/Login");
        return SendAsync(user.Email!, "Your NewsCms account",
            $"Hello {user.DisplayName},\n\nan account has been created for you in the newsroom. " +
            $"Sign in at {signIn} with this e-mail address and the password your administrator gives you; " +
            "you will be asked to choose your own password.\n", ct);
    }
}

/// <summary>Identity's e-mails (password reset) through <see cref="NewsroomMail"/>.</summary>
public sealed class IdentityEmailSender(NewsroomMail mail) : IEmailSender<ApplicationUser>
{
    public Task SendConfirmationLinkAsync(ApplicationUser user, string email, string confirmationLink) =>
        mail.SendAsync(email, "Confirm your e-mail address", $"Confirm your e-mail address by opening this link:\n{WebUtility.HtmlDecode(confirmationLink)}\n");

    public Task SendPasswordResetLinkAsync(ApplicationUser user, string email, string resetLink) =>
        mail.SendAsync(email, "Reset your NewsCms password",
            $"Hello {user.DisplayName},\n\nsomeone asked to reset your password. If it was you, open this link to choose a new one:\n{WebUtility.HtmlDecode(resetLink)}\n\nIf it was not you, ignore this e-mail.\n");

    public Task SendPasswordResetCodeAsync(ApplicationUser user, string email, string resetCode) =>
        mail.SendAsync(email, "Reset your NewsCms password", $"Your password reset code is: {resetCode}\n");
}
