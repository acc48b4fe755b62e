using DiffPlex;
using DiffPlex.Chunkers;

namespace NewsCms.Web.Features.Articles;

public enum DiffKind { Same, Added, Removed }

public sealed record DiffPiece(string Text, DiffKind Kind);

/// <summary>A word-level comparison of two texts (DiffPlex), as pieces to render with additions and deletions marked.</summary>
public static class RevisionDiff
{
    public static IReadOnlyList<DiffPiece> Compare(string before, string after)
    {
        var result = Differ.Instance.CreateDiffs(before ?? "", after ?? "", ignoreWhiteSpace: false, ignoreCase: false, WordChunker.Instance);
        var pieces = new List<DiffPiece>();
        var b = 0;
        foreach (var block in result.DiffBlocks)
        {
            // Unchanged words before this block (taken from the newer text; they are equal on both sides).
            for (; b < block.InsertStartB; b++) Add(result.PiecesNew[b], DiffKind.Same);
            for (var i = 0; i < block.DeleteCountA; i++) Add(result.PiecesOld[block.DeleteStartA + i], DiffKind.Removed);
            for (var i = 0; i < block.InsertCountB; i++) Add(result.PiecesNew[block.InsertStartB + i], DiffKind.Added);
            b = block.InsertStartB + block.InsertCountB;
        }
        for (; b < result.PiecesNew.Count; b++) Add(result.PiecesNew[b], DiffKind.Same);
        return pieces;

        // Adjacent pieces of one kind merge, so the page renders a few spans rather than one per word.
        void Add(string text, DiffKind kind)
        {
            if (pieces.Count > 0 && pieces[^1].Kind == kind) pieces[^1] = pieces[^1] with { Text = pieces[^1].Text + text };
            else pieces.Add(new DiffPiece(text, kind));
        }
    }

    /// <summary>The text compared for a revision: headline, standfirst and body as plain text.</summary>
    public static string Comparable(string headline, string standfirst, string bodyHtml) =>
        headline + "\n\n" + standfirst + "\n\n" + ArticleHtml.ToPlainText(ArticleHtml.Sanitize(bodyHtml));
}
