using System.ComponentModel.DataAnnotations;

namespace NewsCms.Web.Features.Articles;

/// <summary>Settings under NewsCms:Editor.</summary>
public sealed class EditorOptions
{
    public const string Section = "NewsCms:Editor";

    /// <summary>Pause in typing after which a draft is saved on its own.</summary>
    [Range(1, 600)]
    public int AutosaveDelaySeconds { get; set; } = 3;
}
