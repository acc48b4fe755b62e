using System.Text;
using NewsCms.Web.Features.Articles;

namespace NewsCms.Benchmarks.Seeding;

public sealed record GeneratedTag(int Id, string Name, string Slug);
public sealed record GeneratedAuthor(int Id, string Name, string Slug, string JobTitle, string Bio);
public sealed record GeneratedSection(int Id, string Name, string Slug, bool ShowInNavigation);

public sealed record GeneratedArticle(
    int Id, string Headline, string Standfirst, string Slug, string BodyHtml, string BodyText, bool Published, DateTime PublishedAt,
    int SectionId, bool IsFeatured, int[] TagIds, int[] AuthorIds, Guid Version);

/// <summary>
/// Deterministic newsroom content: the same seed and index always give the same article, whatever the batch or thread
/// that makes it. Popularity is skewed like a real site's: a few tags, authors and names appear in many stories, most
/// in few.
/// </summary>
public sealed class ContentGenerator
{
    public const int TagCount = 5_000;
    public const int AuthorCount = 500;
    public const int TargetWords = 800;

    /// <summary>Share of stories still in the newsroom (drafts): they are not public and not in the search index.</summary>
    private const double DraftShare = 0.02;

    private readonly int seed;
    private readonly string[] properNouns;
    private readonly Weighted commonWords, tagPicks, authorPicks, sectionPicks, namePicks;

    public ContentGenerator(int seed = 20261124)
    {
        this.seed = seed;
        properNouns = Words.ProperNouns(20_000, seed);
        Sections = [.. Words.Sections.Select((name, i) => new GeneratedSection(i + 1, name, Slugs.From(name), ShowInNavigation: i < 8))];
        Tags = MakeTags(new Random(seed + 1));
        Authors = MakeAuthors(new Random(seed + 2));
        // Zipf-Mandelbrot weights 1/(rank + q): the offset keeps the head from dominating completely.
        commonWords = Weighted.Zipf(Words.Common.Length, 2);
        tagPicks = Weighted.Zipf(Tags.Count, 10);
        authorPicks = Weighted.Zipf(Authors.Count, 20);
        sectionPicks = Weighted.Zipf(Sections.Count, 4);
        namePicks = Weighted.Zipf(properNouns.Length, 50);
    }

    public IReadOnlyList<GeneratedSection> Sections { get; }
    public IReadOnlyList<GeneratedTag> Tags { get; }
    public IReadOnlyList<GeneratedAuthor> Authors { get; }

    /// <summary>The article with id <paramref name="id"/> (1-based) of <paramref name="total"/>, published over the two years before <paramref name="end"/>.</summary>
    public GeneratedArticle Article(int id, int total, DateTime end)
    {
        var random = new Random(unchecked(seed * 1_000_003 + id)); // not HashCode.Combine: that differs per process
        var published = random.NextDouble() >= DraftShare;
        // Ids follow publication order, as on a real site; a little jitter within the article's slot.
        var span = TimeSpan.FromDays(730);
        var slot = span / Math.Max(1, total);
        var publishedAt = end - span + slot * (id - 1) + slot * random.NextDouble() * 0.9;

        var sectionId = Sections[sectionPicks.Pick(random)].Id;
        var tagIds = Distinct(random, random.Next(3, 6), () => Tags[tagPicks.Pick(random)].Id);
        var authorIds = Distinct(random, random.NextDouble() < 0.8 ? 1 : 2, () => Authors[authorPicks.Pick(random)].Id);
        var names = Distinct(random, 6, () => namePicks.Pick(random)).Select(i => properNouns[i]).ToArray();
        var topics = tagIds.SelectMany(t => Tags[t - 1].Name.ToLowerInvariant().Split(' '))
            .Append(Sections[sectionId - 1].Name.ToLowerInvariant()).Distinct().ToArray();

        var headline = Headline(random, names, topics);
        var standfirst = Sentence(random, names, topics, random.Next(18, 28));
        var (html, text) = Body(random, names, topics);
        var bytes = new byte[16];
        random.NextBytes(bytes);
        // Headlines repeat at scale; the id keeps the slug unique (a newsroom would add "-2").
        var slug = Slugs.From(headline);
        if (slug.Length > 70) slug = slug[..70].TrimEnd('-');
        return new GeneratedArticle(id, headline, standfirst, slug + "-" + id, html, text, published, publishedAt, sectionId, published && random.NextDouble() < 0.01, tagIds, authorIds, new Guid(bytes));
    }

    /// <summary>Typical reader searches: names in the news, tag names, a topic with a name.</summary>
    public IReadOnlyList<string> SearchQueries(int count)
    {
        var random = new Random(seed + 3);
        var queries = new HashSet<string>();
        while (queries.Count < count)
        {
            var kind = random.NextDouble();
            var name = properNouns[namePicks.Pick(random)];
            queries.Add(kind < 0.5 ? name
                : kind < 0.8 ? Tags[tagPicks.Pick(random)].Name.ToLowerInvariant()
                : Words.Topics[random.Next(Words.Topics.Length)] + " " + name);
        }
        return [.. queries];
    }

    /// <summary>
    /// Reader searches of one kind (see <see cref="SearchKinds"/>), <paramref name="count"/> distinct ones: a common
    /// word (in tens of thousands of stories at 100,000), a rare name (in a handful), a common word with a name, and a
    /// quoted phrase of a headline ("housing plan"). Words English search drops ("the") are left out: on PostgreSQL
    /// they are no query at all.
    /// </summary>
    public IReadOnlyList<string> SearchQueriesOf(string kind, int count)
    {
        var random = new Random(seed + 4);
        var common = Words.Common.Take(120).Where(w => w.Length >= 5).Distinct().ToArray();
        var topics = Words.Topics.Where(t => !t.Contains(' ')).ToArray();
        var queries = new HashSet<string>();
        for (var tries = 0; queries.Count < count && tries < count * 100; tries++)
        {
            queries.Add(kind switch
            {
                SearchKinds.Common => common[random.Next(common.Length)],
                SearchKinds.Rare => properNouns[random.Next(10_000, properNouns.Length)],
                SearchKinds.TwoWords => common[random.Next(common.Length)] + " " + properNouns[namePicks.Pick(random)],
                SearchKinds.Phrase => "\"" + topics[random.Next(topics.Length)] + " plan\"",
                _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
            });
        }
        return [.. queries];
    }

    private string Headline(Random random, string[] names, string[] topics)
    {
        string[] verbs = ["backs", "rejects", "delays", "approves", "warns over", "unveils", "questions", "expands", "cuts", "reviews"];
        var words = random.Next(3) switch
        {
            0 => $"{names[0]} {verbs[random.Next(verbs.Length)]} {Common(random)} {topics[random.Next(topics.Length)]} plan",
            1 => $"{Capital(topics[random.Next(topics.Length)])} {Common(random)} in {names[0]} as {names[1]} {verbs[random.Next(verbs.Length)]} {Common(random)} {Common(random)}",
            _ => $"{names[1]} {Common(random)} {verbs[random.Next(verbs.Length)]} {topics[random.Next(topics.Length)]} {Common(random)} after {Common(random)} {Common(random)}",
        };
        return Capital(words);
    }

    private (string Html, string Text) Body(Random random, string[] names, string[] topics)
    {
        var html = new StringBuilder(7_000);
        var text = new StringBuilder(6_000);
        var words = 0;
        var paragraph = 0;
        var quoteAt = random.NextDouble() < 0.5 ? random.Next(3, 8) : -1;
        while (words < TargetWords - 40)
        {
            if (paragraph > 0 && paragraph % 4 == 0)
            {
                var heading = Capital(Sentence(random, names, topics, random.Next(3, 6)).TrimEnd('.'));
                Block(html, text, "<h2>", heading, "</h2>");
                words += Count(heading);
            }
            if (paragraph == quoteAt)
            {
                var quote = "“" + Sentence(random, names, topics, random.Next(14, 24)) + "”";
                Block(html, text, "<blockquote><p>", quote, "</p></blockquote>");
                words += Count(quote);
            }
            var sentences = new StringBuilder();
            var target = random.Next(60, 100);
            var inParagraph = 0;
            while (inParagraph < target)
            {
                var length = random.Next(12, 24);
                if (sentences.Length > 0) sentences.Append(' ');
                sentences.Append(Sentence(random, names, topics, length));
                inParagraph += length;
            }
            Block(html, text, "<p>", sentences.ToString(), "</p>");
            words += inParagraph;
            paragraph++;
        }
        return (html.ToString(), text.ToString());

        static void Block(StringBuilder html, StringBuilder text, string open, string content, string close)
        {
            html.Append(open).Append(content).Append(close);
            if (text.Length > 0) text.Append('\n');
            text.Append(content);
        }
        static int Count(string s) => s.Count(c => c == ' ') + 1;
    }

    /// <summary>A sentence of <paramref name="length"/> words: mostly common words, some of the story's topics and names.</summary>
    private string Sentence(Random random, string[] names, string[] topics, int length)
    {
        var sentence = new StringBuilder(length * 7);
        for (var i = 0; i < length; i++)
        {
            if (i > 0) sentence.Append(' ');
            var roll = random.NextDouble();
            var word = roll < 0.78 ? Common(random) : roll < 0.9 ? topics[random.Next(topics.Length)] : names[random.Next(names.Length)];
            sentence.Append(i == 0 ? Capital(word) : word);
        }
        return sentence.Append('.').ToString();
    }

    private string Common(Random random) => Words.Common[commonWords.Pick(random)];

    private static string Capital(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    private static int[] Distinct(Random random, int count, Func<int> pick)
    {
        var chosen = new List<int>(count);
        for (var tries = 0; chosen.Count < count && tries < count * 20; tries++)
        {
            var next = pick();
            if (!chosen.Contains(next)) chosen.Add(next);
        }
        return [.. chosen];
    }

    private List<GeneratedTag> MakeTags(Random random)
    {
        // Topics alone, then "Qualifier topic" pairs, then names in the news, until there are enough distinct slugs.
        var names = new List<string>(Words.Topics.Select(Capital));
        names.AddRange(Words.Qualifiers.SelectMany(q => Words.Topics.Select(t => Capital(q + " " + t))).OrderBy(_ => random.Next()));
        names.AddRange(properNouns.Skip(15_000));
        var slugs = new HashSet<string>();
        var tags = new List<GeneratedTag>(TagCount);
        foreach (var name in names)
        {
            var slug = Slugs.From(name);
            if (slug.Length == 0 || !slugs.Add(slug)) continue;
            tags.Add(new GeneratedTag(tags.Count + 1, name, slug));
            if (tags.Count == TagCount) break;
        }
        return tags;
    }

    private static List<GeneratedAuthor> MakeAuthors(Random random)
    {
        var pairs = Words.FirstNames.SelectMany(f => Words.LastNames.Select(l => f + " " + l)).OrderBy(_ => random.Next()).Take(AuthorCount);
        return [.. pairs.Select((name, i) => new GeneratedAuthor(i + 1, name, Slugs.From(name),
            Words.JobTitles[random.Next(Words.JobTitles.Length)],
            $"{name} writes about {Words.Topics[random.Next(Words.Topics.Length)]} and {Words.Topics[random.Next(Words.Topics.Length)]}."))];
    }

    /// <summary>Picks indexes with fixed weights (cumulative table and binary search).</summary>
    private sealed class Weighted(double[] cumulative)
    {
        public static Weighted Zipf(int count, double offset)
        {
            var cumulative = new double[count];
            var sum = 0.0;
            for (var i = 0; i < count; i++) cumulative[i] = sum += 1.0 / (i + 1 + offset);
            return new Weighted(cumulative);
        }

        public int Pick(Random random)
        {
            var index = Array.BinarySearch(cumulative, random.NextDouble() * cumulative[^1]);
            return Math.Min(index < 0 ? ~index : index, cumulative.Length - 1);
        }
    }
}

/// <summary>The kinds of reader search measured one by one (<see cref="ContentGenerator.SearchQueriesOf"/>).</summary>
public static class SearchKinds
{
    public const string Common = "common word";
    public const string Rare = "rare word";
    public const string TwoWords = "two words";
    public const string Phrase = "phrase";

    public static readonly IReadOnlyList<string> All = [Common, Rare, TwoWords, Phrase];
}
