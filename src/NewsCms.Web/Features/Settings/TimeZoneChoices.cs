using System.Globalization;
using System.Text;

namespace NewsCms.Web.Features.Settings;

/// <summary>A time zone as the Settings page offers it: "Paris — France (UTC+01:00)"; <see cref="Id"/> is what is stored.</summary>
public sealed record TimeZoneChoice(string Id, string City, string Country, TimeSpan BaseOffset)
{
    public string Label => Country.Length == 0
        ? $"{City} (UTC{Offset(BaseOffset)})"
        : $"{City} — {Country} (UTC{Offset(BaseOffset)})";

    private static string Offset(TimeSpan offset) =>
        (offset < TimeSpan.Zero ? "-" : "+") + offset.Duration().ToString(@"hh\:mm", CultureInfo.InvariantCulture);
}

/// <summary>
/// The time zones a site can choose, by city and country rather than as ~400 raw IANA ids: every zone of the IANA
/// table that this system knows (named after its main city, with its country from <see cref="TimeZoneCountryData"/>),
/// plus UTC. Search matches the city, the country or the id, ignoring case and accents ("sao paulo", "brazil").
/// </summary>
public static class TimeZoneChoices
{
    public static readonly IReadOnlyList<TimeZoneChoice> All = Build();

    private static IReadOnlyList<TimeZoneChoice> Build()
    {
        var list = new List<TimeZoneChoice>();
        foreach (var (id, country) in TimeZoneCountryData.Countries)
        {
            if (TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone)) list.Add(new TimeZoneChoice(id, City(id), country, zone.BaseUtcOffset));
        }
        list.Add(new TimeZoneChoice("UTC", "UTC", "", TimeSpan.Zero));
        return [.. list.OrderBy(c => c.BaseOffset).ThenBy(c => c.City, StringComparer.OrdinalIgnoreCase)];
    }

    /// <summary>The choice for a stored id; an id outside the table (an alias such as "US/Eastern") is offered as itself.</summary>
    public static TimeZoneChoice For(string id)
    {
        if (All.FirstOrDefault(c => c.Id == id) is { } known) return known;
        var offset = TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone.BaseUtcOffset : TimeSpan.Zero;
        return new TimeZoneChoice(id, id, "", offset);
    }

    /// <summary>Choices whose city, country or id contain every word typed; all of them for an empty search.</summary>
    public static IEnumerable<TimeZoneChoice> Search(string? text)
    {
        // The field shows the chosen zone's label: opening the list then offers every zone, not only that one.
        if (All.Any(c => c.Label == text)) return All;
        var words = Fold(text ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0) return All;
        return All.Where(c =>
        {
            var haystack = Fold($"{c.City} {c.Country} {c.Id.Replace('_', ' ')}");
            return words.All(haystack.Contains);
        })
        // Cities that start with the text first: "par" finds Paris before Paramaribo's neighbours.
        .OrderByDescending(c => Fold(c.City).StartsWith(words[0], StringComparison.Ordinal))
        .ThenByDescending(c => Fold(c.Country).StartsWith(words[0], StringComparison.Ordinal));
    }

    /// <summary>"America/Argentina/Buenos_Aires" → "Buenos Aires".</summary>
    private static string City(string id) => id[(id.LastIndexOf('/') + 1)..].Replace('_', ' ');

    /// <summary>Lower case without accents, punctuation as spaces: "São Paulo" → "sao paulo".</summary>
    private static string Fold(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text.Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark) continue;
            builder.Append(char.IsLetterOrDigit(c) || c is '+' or '-' ? char.ToLowerInvariant(c) : ' ');
        }
        return builder.ToString();
    }
}
