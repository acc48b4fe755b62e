using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.GhostApi;

namespace NewsCms.Tests.Unit;

public class NqlTests
{
    /// <summary>The tree as compact text: and(…), or(…), not(…), field op [values].</summary>
    private static string Show(NqlNode node) => node switch
    {
        NqlAnd a => $"and({Show(a.Left)}, {Show(a.Right)})",
        NqlOr o => $"or({Show(o.Left)}, {Show(o.Right)})",
        NqlNot n => $"not({Show(n.Inner)})",
        NqlComparison c => $"{c.Field} {c.Operator} {string.Join("|", c.Values.Select(v => v.Quoted ? $"'{v.Text}'" : v.Text))}",
        _ => "?",
    };

    [Theory]
    [InlineData("tag:news", "tag Equal news")]
    [InlineData("tag:-news", "tag NotEqual news")]
    [InlineData("tags:[a,b, c]", "tags In a|b|c")]
    [InlineData("slug:-[a,b]", "slug NotIn a|b")]
    [InlineData("published_at:>'2024-01-01'", "published_at GreaterThan '2024-01-01'")]
    [InlineData("published_at:>=2024-01-01", "published_at GreaterOrEqual 2024-01-01")]
    [InlineData("published_at:<'2024-01-01T10:00:00Z'", "published_at LessThan '2024-01-01T10:00:00Z'")]
    [InlineData("published_at:<=\"2024-01-01\"", "published_at LessOrEqual '2024-01-01'")]
    [InlineData("title:~'ferry'", "title Contains 'ferry'")]
    [InlineData("title:-~'ferry'", "title NotContains 'ferry'")]
    [InlineData("title:~^'The'", "title StartsWith 'The'")]
    [InlineData("title:~$'end'", "title EndsWith 'end'")]
    [InlineData("featured:true", "featured Equal true")]
    [InlineData("  tag : news ", "tag Equal news")]
    public void Comparisons_read_their_field_operator_and_values(string filter, string expected) =>
        Assert.Equal(expected, Show(NqlParser.Parse(filter)));

    [Theory]
    // '+' binds tighter than ',': a,b+c is a OR (b AND c).
    [InlineData("tag:a,tag:b+tag:c", "or(tag Equal a, and(tag Equal b, tag Equal c))")]
    [InlineData("tag:a+tag:b,tag:c", "or(and(tag Equal a, tag Equal b), tag Equal c)")]
    [InlineData("(tag:a,tag:b)+tag:c", "and(or(tag Equal a, tag Equal b), tag Equal c)")]
    // Left to right within one level.
    [InlineData("tag:a+tag:b+tag:c", "and(and(tag Equal a, tag Equal b), tag Equal c)")]
    [InlineData("tag:a,tag:b,tag:c", "or(or(tag Equal a, tag Equal b), tag Equal c)")]
    // '-' applies to what follows it only.
    [InlineData("-slug:x+tag:a", "and(not(slug Equal x), tag Equal a)")]
    [InlineData("-(slug:x,tag:a)", "not(or(slug Equal x, tag Equal a))")]
    [InlineData("--slug:x", "not(not(slug Equal x))")]
    [InlineData("((tag:a))", "tag Equal a")]
    // A hyphen inside a value is part of it.
    [InlineData("slug:my-first-post+tag:-x-y", "and(slug Equal my-first-post, tag NotEqual x-y)")]
    public void Precedence_negation_and_groups_follow_nql(string filter, string expected) =>
        Assert.Equal(expected, Show(NqlParser.Parse(filter)));

    [Theory]
    [InlineData(@"title:'It\'s here'", "It's here")]
    [InlineData(@"title:'back\\slash'", @"back\slash")]
    [InlineData("title:'a,b+c:(d)[e]'", "a,b+c:(d)[e]")]
    [InlineData("title:\"double 'quoted'\"", "double 'quoted'")]
    [InlineData("title:''", "")]
    public void Quoted_values_keep_their_text_with_escapes(string filter, string expected)
    {
        var comparison = Assert.IsType<NqlComparison>(NqlParser.Parse(filter));
        Assert.True(comparison.Value.Quoted);
        Assert.Equal(expected, comparison.Value.Text);
    }

    [Theory]
    [InlineData("", "a field name")]
    [InlineData("tag", "\":\"")]
    [InlineData("tag:", "a value")]
    [InlineData("tag:a+", "a field name")]
    [InlineData("tag:a,", "a field name")]
    [InlineData("(tag:a", "\")\"")]
    [InlineData("tag:a)", "the end")]
    [InlineData("tag:[a,b", "\"]\"")]
    [InlineData("tag:'open", "not closed")]
    [InlineData("tag:>[a,b]", "cannot take a list")]
    [InlineData("tag:a tag:b", "the end")]
    [InlineData("9tag:a", "not a field name")]
    [InlineData("published_at:>2024-01-01T10:00:00", "the end")]
    public void Unreadable_filters_say_what_was_expected(string filter, string expected)
    {
        var ex = Assert.Throws<NqlSyntaxException>(() => NqlParser.Parse(filter));
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void Filters_that_nest_too_deep_or_run_too_long_are_refused()
    {
        Assert.Throws<NqlSyntaxException>(() => NqlParser.Parse(new string('(', 100) + "tag:a" + new string(')', 100)));
        Assert.Throws<NqlSyntaxException>(() => NqlParser.Parse(new string('-', 100) + "tag:a"));
        Assert.Throws<NqlSyntaxException>(() => NqlParser.Parse(string.Join(",", Enumerable.Repeat("tag:a", 500))));
    }

    // Translation, run in memory on the fields that need no other table (relations are checked on SQLite in ContentApiTests).

    private static readonly Article[] Articles =
    [
        new() { Id = 1, Slug = "ferry-times", Headline = "Ferry times change", IsFeatured = true, PublishedAt = new DateTime(2024, 1, 10, 12, 0, 0, DateTimeKind.Utc) },
        new() { Id = 2, Slug = "harbour-works", Headline = "Harbour works begin", PublishedAt = new DateTime(2024, 2, 10, 12, 0, 0, DateTimeKind.Utc) },
        new() { Id = 3, Slug = "council-news", Headline = "Council NEWS", PublishedAt = new DateTime(2024, 3, 10, 12, 0, 0, DateTimeKind.Utc) },
    ];

    private static NqlTranslator<Article> Translator() => new(new Dictionary<string, NqlField<Article>>
    {
        ["id"] = NqlFields.Id<Article>(a => a.Id),
        ["slug"] = NqlFields.Text<Article>(a => a.Slug),
        ["title"] = NqlFields.Text<Article>(a => a.Headline),
        ["featured"] = NqlFields.Bool<Article>(a => a.IsFeatured),
        ["published_at"] = NqlFields.Date<Article>(a => a.PublishedAt),
        ["visibility"] = NqlFields.Constant<Article>("public"),
    });

    private static int[] Matching(string filter)
    {
        var condition = Translator().Translate(filter).Compile();
        return [.. Articles.Where(condition).Select(a => a.Id)];
    }

    [Theory]
    [InlineData("id:2", new[] { 2 })]
    [InlineData("id:[1,3]", new[] { 1, 3 })]
    [InlineData("id:-2", new[] { 1, 3 })]
    [InlineData("id:abc", new int[0])]
    [InlineData("slug:harbour-works", new[] { 2 })]
    [InlineData("slug:[ferry-times,council-news]", new[] { 1, 3 })]
    [InlineData("slug:-[ferry-times,council-news]", new[] { 2 })]
    [InlineData("-slug:ferry-times", new[] { 2, 3 })]
    [InlineData("title:~'news'", new[] { 3 })]
    [InlineData("title:~^'harbour'", new[] { 2 })]
    [InlineData("title:~$'CHANGE'", new[] { 1 })]
    [InlineData("title:-~'e'", new int[0])]
    [InlineData("featured:true", new[] { 1 })]
    [InlineData("featured:false", new[] { 2, 3 })]
    [InlineData("featured:-true", new[] { 2, 3 })]
    [InlineData("published_at:>'2024-02-10'", new[] { 2, 3 })]
    [InlineData("published_at:>'2024-02-10T12:00:00Z'", new[] { 3 })]
    [InlineData("published_at:>='2024-02-10T12:00:00Z'", new[] { 2, 3 })]
    [InlineData("published_at:<'2024-02-10T12:00:00Z'", new[] { 1 })]
    [InlineData("published_at:<='2024-02-10T13:00:00+01:00'", new[] { 1, 2 })]
    [InlineData("published_at:>2024-01-31+published_at:<2024-03-01", new[] { 2 })]
    [InlineData("visibility:public", new[] { 1, 2, 3 })]
    [InlineData("visibility:paid", new int[0])]
    [InlineData("featured:true,slug:council-news+title:~'council'", new[] { 1, 3 })]
    [InlineData("(featured:true,slug:council-news)+title:~'council'", new[] { 3 })]
    [InlineData("featured:false+-(slug:harbour-works,id:1)", new[] { 3 })]
    public void Translation_answers_exactly(string filter, int[] expected) => Assert.Equal(expected, Matching(filter));

    [Theory]
    [InlineData("nope:x", "Cannot filter by \"nope\"")]
    [InlineData("featured:maybe", "true or false")]
    [InlineData("featured:>true", "not supported for \"featured\"")]
    [InlineData("published_at:>'yesterday'", "takes a date")]
    [InlineData("published_at:>now-30d", "takes a date")]
    [InlineData("published_at:[2024-01-01,2024-02-01]", "not supported")]
    [InlineData("slug:>abc", "not supported for \"slug\"")]
    [InlineData("id:~1", "not supported for \"id\"")]
    [InlineData("slug:[a,null]", "null")]
    public void Unsupported_fields_operators_and_values_are_refused_by_name(string filter, string expected)
    {
        var ex = Assert.ThrowsAny<NqlException>(() => Translator().Translate(filter));
        Assert.Contains(expected, ex.Message);
    }
}
