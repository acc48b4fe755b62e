using System.Globalization;
using Microsoft.EntityFrameworkCore;
using System.Text;

namespace NewsCms.Web.Features.Articles;

/// <summary>URL slugs: lower-case ASCII letters, digits and single hyphens, made from any headline.</summary>
public static class Slugs
{
    public const int MaxLength = 80;

    // Letters that Unicode decomposition does not reduce to ASCII.
    private static readonly Dictionary<char, string> Transliterations = new()
    {
        ['ß'] = "ss", ['æ'] = "ae", ['Æ'] = "ae", ['ø'] = "o", ['Ø'] = "o", ['œ'] = "oe", ['Œ'] = "oe",
        ['đ'] = "d", ['Đ'] = "d", ['ł'] = "l", ['Ł'] = "l", ['þ'] = "th", ['Þ'] = "th", ['ð'] = "d", ['ı'] = "i",
        ['&'] = " and ", ['@'] = " at ",
    };

    /// <summary>The slug for a text; empty when the text has nothing usable (the caller picks a fallback).</summary>
    public static string From(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return "";
        var decomposed = text.Normalize(NormalizationForm.FormKD);
        var slug = new StringBuilder(Math.Min(decomposed.Length, MaxLength + 20));
        var pendingHyphen = false;
        foreach (var c in decomposed)
        {
            if (Transliterations.TryGetValue(c, out var replacement))
            {
                foreach (var r in replacement) Append(r);
                continue;
            }
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark) continue;
            if (c == '\'' || c == '’' || c == '‘') continue; // "don't" → "dont"
            Append(c);
        }
        return Truncate(slug.ToString());

        void Append(char c)
        {
            var lower = char.ToLowerInvariant(c);
            if (lower is >= 'a' and <= 'z' or >= '0' and <= '9')
            {
                if (pendingHyphen && slug.Length > 0) slug.Append('-');
                pendingHyphen = false;
                slug.Append(lower);
            }
            else
            {
                pendingHyphen = true;
            }
        }
    }

    /// <summary>Why a slug a person typed cannot be used (with a corrected suggestion), or null when it can (or none was typed).</summary>
    public static string? Problem(string? typed) =>
        string.IsNullOrWhiteSpace(typed) || IsValid(typed.Trim())
            ? null
            : $"A slug uses lower-case letters, digits and hyphens only, up to {MaxLength} characters, e.g. \"{From(typed)}\".";

    /// <summary>Whether a slug typed by a person is already in canonical form.</summary>
    public static bool IsValid(string? slug) => !string.IsNullOrEmpty(slug) && From(slug) == slug;

    /// <summary>The slug with a numeric suffix, kept within the length limit: "headline-2".</summary>
    public static string WithSuffix(string slug, int number)
    {
        var suffix = "-" + number.ToString(CultureInfo.InvariantCulture);
        return Truncate(slug, MaxLength - suffix.Length) + suffix;
    }

    /// <summary>The base slug, or the first "-2", "-3"… variant of it, that is not in <paramref name="taken"/>.</summary>
    public static string FirstFree(string baseSlug, IReadOnlyCollection<string> taken)
    {
        var candidate = baseSlug;
        for (var n = 2; taken.Contains(candidate); n++) candidate = WithSuffix(baseSlug, n);
        return candidate;
    }

    /// <summary>
    /// The slug to store for an article, tag, section or author: the one typed, when no other item has it (else
    /// Taken); when editing with none typed, the current one; otherwise one made from <paramref name="text"/>
    /// (or <paramref name="fallback"/>), with a numeric suffix until it is free.
    /// </summary>
    /// <param name="otherSlugs">The slugs of every other item of the same kind.</param>
    /// <param name="reserved">Slugs no item may take (a page's address words the site uses); a made slug steps around them too.</param>
    public static async Task<(string? Slug, bool Taken)> ChooseAsync(IQueryable<string> otherSlugs, string? typed, string? current,
        string text, string fallback, CancellationToken ct, IReadOnlySet<string>? reserved = null)
    {
        typed = typed?.Trim();
        if (!string.IsNullOrEmpty(typed)) return await otherSlugs.AnyAsync(s => s == typed, ct) ? (null, true) : (typed, false);
        if (!string.IsNullOrEmpty(current)) return (current, false);
        var baseSlug = From(text) is { Length: > 0 } made ? made : fallback;
        var taken = await otherSlugs.Where(s => s == baseSlug || s.StartsWith(baseSlug + "-")).ToListAsync(ct);
        if (reserved is not null) taken.AddRange(reserved.Where(r => r == baseSlug || r.StartsWith(baseSlug + "-", StringComparison.Ordinal)));
        return (FirstFree(baseSlug, taken), false);
    }

    private static string Truncate(string slug, int max = MaxLength)
    {
        if (slug.Length <= max) return slug;
        // Cut at a word boundary where one is reasonably close.
        var cut = slug.LastIndexOf('-', max);
        return (cut > max / 2 ? slug[..cut] : slug[..max]).TrimEnd('-');
    }
}
