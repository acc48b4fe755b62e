using System.Text;
using System.Text.Json;

namespace NewsCms.Web.Features.Import;

/// <summary>An import report as people read it (the command line, the download) and as JSON.</summary>
public static class ImportReportText
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string Json(ImportReport report) => JsonSerializer.Serialize(report, Indented);

    public static ImportReport FromJson(string json) =>
        string.IsNullOrEmpty(json) ? new ImportReport() : JsonSerializer.Deserialize<ImportReport>(json) ?? new ImportReport();

    /// <summary>The counts, one line per kind.</summary>
    public static string Summary(ImportReport report, bool dryRun)
    {
        var text = new StringBuilder(dryRun ? "Dry run: nothing was written. An import would do this:\n" : "Import report\n");
        foreach (var (kind, outcomes) in report.Counts)
        {
            text.Append("  ").Append(kind).Append(": ")
                .AppendJoin(", ", outcomes.Select(o => $"{o.Key} {o.Value}")).Append('\n');
        }
        text.Append($"  warnings: {report.Warnings.Count}");
        if (report.Durations.Count > 0)
        {
            text.Append("\n  time: ").AppendJoin(", ", report.Durations.Select(d => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{d.Key} {d.Value:0.0} s")));
        }
        return text.ToString();
    }

    /// <summary>The counts, then every warning on a line of its own.</summary>
    public static string Write(ImportReport report, bool dryRun)
    {
        var text = new StringBuilder(Summary(report, dryRun)).Append('\n');
        if (report.Warnings.Count > 0) text.Append("\nWarnings\n");
        foreach (var warning in report.Warnings) text.Append("  ").Append(warning).Append('\n');
        return text.ToString();
    }
}
