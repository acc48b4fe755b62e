namespace NewsCms.Web.Features.Corrections;

/// <summary>What the editor's panel sends: the kind and the plain text.</summary>
public sealed record CorrectionInput(CorrectionKind Kind, string Text);

/// <summary>A correction as the newsroom sees it, with its earlier texts (newest first).</summary>
public sealed record CorrectionView(
    int Id, int ArticleId, CorrectionKind Kind, string Text, DateTime CreatedAt, string CreatedByName, DateTime? EditedAt, DateTime? WithdrawnAt,
    Guid Version, IReadOnlyList<CorrectionRevisionView> Revisions)
{
    public bool IsWithdrawn => WithdrawnAt is not null;
    public bool IsAmended => EditedAt is not null;
}

/// <summary>What a correction said before a change.</summary>
public sealed record CorrectionRevisionView(CorrectionKind Kind, string Text, DateTime ChangedAt, string ChangedByName);

/// <summary>An article's corrections for its editor: whether the user may add or change them, and all of them, oldest first.</summary>
public sealed record ArticleCorrectionsPanel(int ArticleId, bool IsPublished, bool MayCorrect, IReadOnlyList<CorrectionView> Corrections);

/// <summary>A correction as readers see it at the end of the article.</summary>
public sealed record PublicCorrection(int Id, CorrectionKind Kind, string Text, DateTime CreatedAt, DateTime? EditedAt);

/// <summary>A correction on /corrections: with its article's headline and address.</summary>
public sealed record CorrectionListing(int Id, int ArticleId, string Headline, string Slug, CorrectionKind Kind, string Text, DateTime CreatedAt, DateTime? EditedAt);
