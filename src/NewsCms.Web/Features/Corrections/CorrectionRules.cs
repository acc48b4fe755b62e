using System.Globalization;
using System.Text.RegularExpressions;

namespace NewsCms.Web.Features.Corrections;

/// <summary>What a correction or update must be, and how readers see its label. Pure: the service asks it.</summary>
public static partial class CorrectionRules
{
    public const int MaxLength = 2000;
    public const string NotAnArticle = "Only articles carry corrections and updates.";
    public const string NotPublished = "Corrections and updates go on published articles: publish it first.";
    public const string NotFound = "That correction or update does not exist.";
    public const string Withdrawn = "That correction or update was withdrawn.";
    public const string Changed = "Someone else changed this correction or update meanwhile. Reload it and try again.";
    public const string Unchanged = "Nothing changed: edit the text or the kind first.";

    /// <summary>"Correction" or "Update": what the reader sees before the date.</summary>
    public static string Label(CorrectionKind kind) => kind == CorrectionKind.Update ? "Update" : "Correction";

    /// <summary>"Correction, 4 December 2026" with the date in the site's time zone.</summary>
    public static string Heading(CorrectionKind kind, DateTimeOffset local) =>
        Label(kind) + ", " + local.ToString("d MMMM yyyy", CultureInfo.InvariantCulture);

    /// <summary>The same for a stored UTC time, in <paramref name="zone"/> (the site's): the reader's day, not the server's.</summary>
    public static string Heading(CorrectionKind kind, DateTime utc, TimeZoneInfo zone) => Heading(kind, Local(utc, zone));

    /// <summary>A stored UTC time in <paramref name="zone"/>.</summary>
    public static DateTimeOffset Local(DateTime utc, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)), zone);

    /// <summary>
    /// The stored text: plain text on one paragraph (whitespace runs, line breaks included, become one space),
    /// trimmed, without control characters (feeds are XML).
    /// </summary>
    public static string Normalize(string? text) =>
        Whitespace().Replace(new string((text ?? "").Where(c => !char.IsControl(c) || char.IsWhiteSpace(c)).ToArray()), " ").Trim();

    /// <summary>Why the (normalized) text cannot be stored, or null.</summary>
    public static string? Check(CorrectionKind kind, string normalized) =>
        normalized.Length == 0 ? $"Write the {Label(kind).ToLowerInvariant()} first."
        : normalized.Length > MaxLength ? $"Keep it under {MaxLength} characters (it has {normalized.Length})."
        : null;

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
