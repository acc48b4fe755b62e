using NewsCms.Web.Features.Articles;

namespace NewsCms.Tests.Unit;

public class RevisionDiffTests
{
    private static string Render(IEnumerable<DiffPiece> pieces) => string.Concat(pieces.Select(p => p.Kind switch
    {
        DiffKind.Added => "{+" + p.Text + "+}",
        DiffKind.Removed => "[-" + p.Text + "-]",
        _ => p.Text,
    }));

    [Fact]
    public void Changed_words_are_marked_and_the_rest_is_kept()
    {
        var pieces = RevisionDiff.Compare("The council approved the budget", "The council rejected the budget");
        Assert.Equal("The council [-approved-]{+rejected+} the budget", Render(pieces));
    }

    [Fact]
    public void Additions_and_deletions_at_the_edges()
    {
        Assert.Equal("{+Breaking: +}Storm hits coast", Render(RevisionDiff.Compare("Storm hits coast", "Breaking: Storm hits coast")));
        Assert.Equal("Storm hits coast[- tonight-]", Render(RevisionDiff.Compare("Storm hits coast tonight", "Storm hits coast")));
    }

    [Fact]
    public void Identical_texts_have_no_changes_and_empty_texts_are_fine()
    {
        Assert.All(RevisionDiff.Compare("Same words here", "Same words here"), p => Assert.Equal(DiffKind.Same, p.Kind));
        Assert.Equal("{+New+}", Render(RevisionDiff.Compare("", "New")));
        Assert.Empty(RevisionDiff.Compare("", ""));
    }

    [Fact]
    public void Revisions_compare_headline_standfirst_and_body_text_not_markup()
    {
        var before = RevisionDiff.Comparable("Headline", "Standfirst", "<p>One <strong>two</strong></p>");
        var after = RevisionDiff.Comparable("Headline", "Standfirst", "<p>One <em>two</em></p>");
        Assert.All(RevisionDiff.Compare(before, after), p => Assert.Equal(DiffKind.Same, p.Kind));
        Assert.Contains("Headline", before);
        Assert.DoesNotContain("<strong>", before);
    }
}
