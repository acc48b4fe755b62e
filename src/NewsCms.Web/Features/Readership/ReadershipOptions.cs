using System.ComponentModel.DataAnnotations;

namespace NewsCms.Web.Features.Readership;

/// <summary>Settings under NewsCms:Readership.</summary>
public sealed class ReadershipOptions
{
    public const string Section = "NewsCms:Readership";

    /// <summary>Whether article views are counted at all (the "Most read" block and the newsroom's figures stay, frozen).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often each node adds its counts to the database: at most this many seconds of counts are lost in a crash.</summary>
    [Range(1, 300, ErrorMessage = "NewsCms:Readership:FlushSeconds must be between 1 and 300 seconds.")]
    public int FlushSeconds { get; set; } = 5;

    /// <summary>
    /// Days of daily counts kept; older days are deleted (an article's all-time total then covers only those days).
    /// 0: kept as long as the article is (they hold nothing about anyone).
    /// </summary>
    [Range(0, 36500, ErrorMessage = "NewsCms:Readership:RetentionDays must be 0 (keep) or a number of days up to 36500.")]
    public int RetentionDays { get; set; }

    /// <summary>How often the "Most read" block is worked out again (never per request).</summary>
    [Range(10, 3600, ErrorMessage = "NewsCms:Readership:MostReadRefreshSeconds must be between 10 and 3600 seconds.")]
    public int MostReadRefreshSeconds { get; set; } = 180;

    /// <summary>How many articles the public "Most read" block lists.</summary>
    [Range(1, 20, ErrorMessage = "NewsCms:Readership:MostReadCount must be between 1 and 20.")]
    public int MostReadCount { get; set; } = 5;
}
