namespace NewsCms.Web.Features.Import;

/// <summary>
/// What an import did and what it could not do: a count per kind and outcome ("post: imported 120, skipped 3") and
/// one warning per item, naming the item and its old address. Kept as JSON on the <see cref="ImportRun"/>.
/// </summary>
public sealed class ImportReport
{
    /// <summary>Kind → outcome → count, e.g. "post" → "imported" → 120.</summary>
    public SortedDictionary<string, SortedDictionary<string, int>> Counts { get; init; } = new(StringComparer.Ordinal);

    public List<ImportWarning> Warnings { get; init; } = [];

    /// <summary>How long each step took, in seconds ("reading", "writing", "related articles"), in order.</summary>
    public List<KeyValuePair<string, double>> Durations { get; init; } = [];

    public void Took(string step, TimeSpan time) => Durations.Add(new(step, Math.Round(time.TotalSeconds, 1)));

    public void Count(string kind, string outcome, int by = 1)
    {
        if (!Counts.TryGetValue(kind, out var outcomes)) Counts[kind] = outcomes = new(StringComparer.Ordinal);
        outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + by;
    }

    public int CountOf(string kind, string outcome) => Counts.GetValueOrDefault(kind)?.GetValueOrDefault(outcome) ?? 0;

    /// <summary>A warning about one item: "post 123 (https://old.example/2020/01/02/slug/): an &lt;iframe&gt; … was removed".</summary>
    public void Warn(string kind, string externalId, string oldUrl, string message) =>
        Warnings.Add(new ImportWarning(kind, externalId, oldUrl, message));
}

public sealed record ImportWarning(string Kind, string ExternalId, string OldUrl, string Message)
{
    public override string ToString() =>
        $"{Kind} {ExternalId}{(OldUrl.Length > 0 ? " (" + OldUrl + ")" : "")}: {Message}";
}
