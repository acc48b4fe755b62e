using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace NewsCms.Web.Features.Import;

public enum ImportRunKind
{
    WordPress = 0,
    Site = 1,
}

public enum ImportRunStatus
{
    /// <summary>Read through without writing; the report says what an import would do.</summary>
    DryRun = 0,
    Running = 1,
    Completed = 2,
    Failed = 3,

    /// <summary>The process stopped while running (a crash, a restart); the next run resumes it.</summary>
    Interrupted = 4,
}

/// <summary>
/// One run of an importer, kept in the database so its progress and report outlive a page reload, a restart and the
/// node that ran it.
/// </summary>
public class ImportRun
{
    public Guid Id { get; set; }
    public ImportRunKind Kind { get; set; }
    public ImportRunStatus Status { get; set; }

    /// <summary>The uploaded file's name, for the newsroom's list.</summary>
    public string FileName { get; set; } = "";

    /// <summary>The uploads zip's name, when one was given.</summary>
    public string? UploadsFileName { get; set; }

    /// <summary>True while the run only reads and reports (its first step); "Import" then runs it for real.</summary>
    public bool IsDryRun { get; set; }

    /// <summary>The run also makes accounts (without passwords) for the authors it imports.</summary>
    public bool CreateAccounts { get; set; }

    /// <summary>Where the uploaded files are kept until the run is done (under the data folder).</summary>
    public string WorkFolder { get; set; } = "";

    public int TotalItems { get; set; }
    public int ProcessedItems { get; set; }

    /// <summary>The report as JSON (counts per kind and one warning per item), written as the run goes.</summary>
    public string ReportJson { get; set; } = "";

    public string? Error { get; set; }
    public string StartedById { get; set; } = "";
    public string StartedByName { get; set; } = "";
    public DateTime StartedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
}

internal sealed class ImportRunConfiguration : IEntityTypeConfiguration<ImportRun>
{
    public void Configure(EntityTypeBuilder<ImportRun> run)
    {
        run.Property(r => r.FileName).HasMaxLength(260);
        run.Property(r => r.UploadsFileName).HasMaxLength(260);
        run.Property(r => r.WorkFolder).HasMaxLength(1000);
        run.Property(r => r.StartedById).HasMaxLength(450);
        run.Property(r => r.StartedByName).HasMaxLength(256);
        run.HasIndex(r => r.StartedAt);
    }
}
