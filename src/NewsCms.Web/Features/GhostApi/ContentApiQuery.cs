using System.Linq.Expressions;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Authors;
using NewsCms.Web.Features.Taxonomy;

namespace NewsCms.Web.Features.GhostApi;

/// <summary>The query string the Content API reads (all text, so binding never fails: the values are checked below).</summary>
public sealed record ContentApiParameters
{
    [FromQuery(Name = "key")] public string? Key { get; init; }
    [FromQuery(Name = "include")] public string? Include { get; init; }
    [FromQuery(Name = "fields")] public string? Fields { get; init; }
    [FromQuery(Name = "formats")] public string? Formats { get; init; }
    [FromQuery(Name = "filter")] public string? Filter { get; init; }
    [FromQuery(Name = "limit")] public string? Limit { get; init; }
    [FromQuery(Name = "page")] public string? Page { get; init; }
    [FromQuery(Name = "order")] public string? Order { get; init; }
}

/// <summary>The query string of a read (one item by id or slug): no filter, order or paging.</summary>
public sealed record ContentApiReadParameters
{
    [FromQuery(Name = "key")] public string? Key { get; init; }
    [FromQuery(Name = "include")] public string? Include { get; init; }
    [FromQuery(Name = "fields")] public string? Fields { get; init; }
    [FromQuery(Name = "formats")] public string? Formats { get; init; }

    public ContentApiParameters ForParsing => new() { Key = Key, Include = Include, Fields = Fields, Formats = Formats };
}

/// <summary>The query string of the settings: the key only.</summary>
public sealed record ContentApiKeyParameter
{
    [FromQuery(Name = "key")] public string? Key { get; init; }
}

/// <summary>
/// A Content API request's options, checked as Ghost checks them: a malformed limit, page, order or formats is a 422
/// ValidationError ("Validation (matches) failed for limit"), an unknown include is dropped, an unknown field in
/// fields is ignored, an order by a field we cannot sort on and an unreadable or unsupported filter are 400s.
/// </summary>
public sealed partial record ContentApiQuery(int Page, int Limit, IReadOnlySet<string> Include, IReadOnlySet<string>? Fields, bool Html, bool Plaintext,
    NqlNode? Filter, IReadOnlyList<(string Field, bool Descending)> Order)
{
    public const int DefaultLimit = 15;
    public const int MaxLimit = 100;

    /// <summary>What <c>limit=all</c> means: at most this many (pagination then says so and gives the next page).</summary>
    public const int AllLimit = 1000;

    /// <summary>The highest page number asked for (beyond it the offset alone would be absurd).</summary>
    public const int MaxPage = 1_000_000;

    public GhostShapeOptions ShapeOptions => new(Tags: Include.Contains("tags"), Authors: Include.Contains("authors"), Html: Html, Plaintext: Plaintext);

    public bool CountPosts => Include.Contains("count.posts");

    public int Skip => (Page - 1) * Limit;

    /// <summary>Reads the parameters; an error answer when one is refused.</summary>
    public static (ContentApiQuery? Query, IResult? Error) Parse(ContentApiParameters p, IReadOnlyCollection<string> includes, IReadOnlyCollection<string> orderFields)
    {
        var limit = DefaultLimit;
        if (p.Limit is { } limitText)
        {
            if (limitText == "all") limit = AllLimit;
            else if (int.TryParse(limitText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out limit) && limit >= 1)
                limit = Math.Min(limit, MaxLimit);
            // Digits too many for an int: as many as allowed.
            else if (Digits().IsMatch(limitText) && limitText.TrimStart('0').Length > 9) limit = MaxLimit;
            else return (null, Invalid("limit"));
        }
        var page = 1;
        if (p.Page is { } pageText && (!int.TryParse(pageText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out page)
            || page < 1 || page > MaxPage))
        {
            return (null, Invalid("page"));
        }

        var include = Split(p.Include).Where(includes.Contains).ToHashSet(StringComparer.Ordinal);
        var fields = p.Fields is null ? null : Split(p.Fields).ToHashSet(StringComparer.Ordinal);

        var html = true;
        var plaintext = false;
        if (p.Formats is { Length: > 0 } formatsText)
        {
            var formats = Split(formatsText).Select(f => f.ToLowerInvariant()).ToList();
            if (formats.Any(f => f is not ("html" or "plaintext"))) return (null, Invalid("formats", "AllowedValues"));
            html = formats.Contains("html");
            plaintext = formats.Contains("plaintext");
        }

        var order = new List<(string, bool)>();
        if (p.Order is { Length: > 0 } orderText)
        {
            if (!OrderText().IsMatch(orderText)) return (null, Invalid("order"));
            foreach (var part in orderText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var words = part.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var field = words[0].ToLowerInvariant();
                var direction = words.Length > 1 ? words[1].ToLowerInvariant() : "asc";
                if (words.Length > 2 || direction is not ("asc" or "desc"))
                {
                    return (null, GhostErrors.BadRequest($"\"{part}\" is not an order: write a field and asc or desc, such as \"published_at desc\".", "Invalid order."));
                }
                if (!orderFields.Contains(field))
                {
                    return (null, GhostErrors.BadRequest($"Cannot order by \"{words[0]}\". Fields to order by: {string.Join(", ", orderFields)}.", "Invalid order."));
                }
                order.Add((field, direction == "desc"));
            }
        }

        NqlNode? filter = null;
        if (!string.IsNullOrWhiteSpace(p.Filter))
        {
            try
            {
                filter = NqlParser.Parse(p.Filter);
            }
            catch (NqlException ex)
            {
                return (null, FilterError(ex));
            }
        }
        return (new ContentApiQuery(page, limit, include, fields, html, plaintext, filter, order), null);
    }

    public static IResult FilterError(NqlException ex) => GhostErrors.BadRequest(ex.Message, "Error parsing filter");

    /// <summary>Ghost's answer to a malformed option: 422 ValidationError naming the option.</summary>
    private static IResult Invalid(string option, string validation = "matches") =>
        GhostErrors.Result(StatusCodes.Status422UnprocessableEntity, "ValidationError", $"Validation ({validation}) failed for {option}", property: option);

    private static IEnumerable<string> Split(string? text) =>
        (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [GeneratedRegex("^[0-9]+$")]
    private static partial Regex Digits();

    [GeneratedRegex("^[a-zA-Z0-9_,. ]+$")]
    private static partial Regex OrderText();
}

/// <summary>Sort orders by name, each a key on <typeparamref name="T"/>; ties are broken by the last key given.</summary>
public sealed class ContentApiOrder<T>
{
    private readonly Dictionary<string, Func<IQueryable<T>, bool, IOrderedQueryable<T>>> first = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Func<IOrderedQueryable<T>, bool, IOrderedQueryable<T>>> then = new(StringComparer.Ordinal);

    public ContentApiOrder<T> Add<TKey>(string name, Expression<Func<T, TKey>> key)
    {
        first[name] = (q, desc) => desc ? q.OrderByDescending(key) : q.OrderBy(key);
        then[name] = (q, desc) => desc ? q.ThenByDescending(key) : q.ThenBy(key);
        return this;
    }

    public IReadOnlyCollection<string> Names => first.Keys;

    /// <summary>The requested order, or <paramref name="defaults"/>, then <paramref name="tieBreak"/> so pages never overlap.</summary>
    public IOrderedQueryable<T> Apply(IQueryable<T> query, IReadOnlyList<(string Field, bool Descending)> requested,
        IReadOnlyList<(string Field, bool Descending)> defaults, (string Field, bool Descending) tieBreak)
    {
        var order = (requested.Count > 0 ? requested : defaults).Append(tieBreak).ToList();
        var ordered = first[order[0].Field](query, order[0].Descending);
        foreach (var (field, descending) in order.Skip(1)) ordered = then[field](ordered, descending);
        return ordered;
    }
}

/// <summary>A tag as the Content API lists it, with the number of public posts it is on.</summary>
public sealed class ContentTagRow
{
    public int Id { get; init; }
    public string Name { get; init; } = "";
    public string Slug { get; init; } = "";
    public string Description { get; init; } = "";
    public DateTime CreatedAt { get; init; }
    public int Posts { get; init; }
}

/// <summary>An author as the Content API lists it, with the number of public posts under their byline.</summary>
public sealed class ContentAuthorRow
{
    public int Id { get; init; }
    public string Name { get; init; } = "";
    public string Slug { get; init; } = "";
    public string Bio { get; init; } = "";
    public int? AvatarId { get; init; }
    public string? Website { get; init; }
    public string? X { get; init; }
    public string? Facebook { get; init; }
    public DateTime CreatedAt { get; init; }
    public int Posts { get; init; }
}

/// <summary>
/// What each resource of the Ghost APIs can be filtered and ordered by: the one table for the Content API and the
/// Admin API. The Admin API sees every status (within what its key may list), so there <c>status</c> is a real field.
/// </summary>
public static class ContentApiFilters
{
    /// <summary>
    /// One page of tags for both APIs' tag lists: filtered, ordered (name, then id) and paged as <paramref name="query"/>
    /// asks, with post counts (of the articles <paramref name="counted"/> selects) when asked for or ordered by. The
    /// error is the filter's 400 when it names what tags cannot be filtered by.
    /// </summary>
    public static async Task<(int Total, List<ContentTagRow> Rows, IResult? Error)> TagPageAsync(NewsCmsDbContext db, ContentApiQuery query, IQueryable<int> counted,
        CancellationToken ct)
    {
        IQueryable<Tag> tags = db.Tags.AsNoTracking();
        if (query.Filter is { } filter)
        {
            try
            {
                tags = tags.Where(Tags().Translate(filter));
            }
            catch (NqlException ex)
            {
                return (0, [], ContentApiQuery.FilterError(ex));
            }
        }
        var total = await tags.CountAsync(ct);
        var counts = query.CountPosts || query.Order.Any(o => o.Field == "count.posts");
        var rows = total <= query.Skip ? [] : await TagOrder.Apply(TagRows(db, tags, counted, counts), query.Order, [("name", false)], ("id", false))
            .Skip(query.Skip).Take(query.Limit).ToListAsync(ct);
        return (total, rows, null);
    }

    /// <summary>The tags as rows, with their counts of the articles <paramref name="counted"/> selects when <paramref name="counts"/>, else 0.</summary>
    public static IQueryable<ContentTagRow> TagRows(NewsCmsDbContext db, IQueryable<Tag> tags, IQueryable<int> counted, bool counts) =>
        tags.Select(t => new ContentTagRow
        {
            Id = t.Id, Name = t.Name, Slug = t.Slug, Description = t.Description, CreatedAt = t.CreatedAt,
            Posts = counts ? db.ArticleTags.Count(at => at.TagId == t.Id && counted.Contains(at.ArticleId)) : 0,
        });

    /// <summary>Ghost's statuses as ours: in review is a draft for Ghost.</summary>
    public static readonly IReadOnlyDictionary<string, ArticleStatus[]> GhostStatuses = new Dictionary<string, ArticleStatus[]>(StringComparer.Ordinal)
    {
        ["draft"] = [ArticleStatus.Draft, ArticleStatus.InReview],
        ["published"] = [ArticleStatus.Published],
        ["scheduled"] = [ArticleStatus.Scheduled],
    };

    /// <summary>
    /// Posts and pages. <c>tag</c>/<c>tags</c> and <c>author</c>/<c>authors</c> match by slug;
    /// <c>primary_tag</c> is the article's first tag in <see cref="GhostShapes.PrimaryTagKey"/>, <c>primary_author</c> its first byline.
    /// </summary>
    public static NqlTranslator<Article> Posts(NewsCmsDbContext db, bool admin = false)
    {
        var tagsOf = (Expression<Func<Article, bool>>)(a => !db.ArticleTags.Any(at => at.ArticleId == a.Id));
        var authorsOf = (Expression<Func<Article, bool>>)(a => !db.ArticleAuthors.Any(aa => aa.ArticleId == a.Id));
        var tag = NqlFields.Slugs<Article>(
            slugs => a => db.ArticleTags.Any(at => at.ArticleId == a.Id && db.Tags.Any(t => t.Id == at.TagId && slugs.Contains(t.Slug))), tagsOf);
        var author = NqlFields.Slugs<Article>(
            slugs => a => db.ArticleAuthors.Any(aa => aa.ArticleId == a.Id && db.AuthorProfiles.Any(p => p.Id == aa.AuthorProfileId && slugs.Contains(p.Slug))), authorsOf);
        var primaryTag = NqlFields.Slugs<Article>(
            slugs => a => db.ArticleTags.Where(at => at.ArticleId == a.Id).Join(db.Tags, at => at.TagId, t => t.Id, (at, t) => t)
                .OrderBy(GhostShapes.PrimaryTagKey).ThenBy(t => t.Id).Take(1).Any(t => slugs.Contains(t.Slug)), tagsOf);
        var primaryAuthor = NqlFields.Slugs<Article>(
            slugs => a => db.ArticleAuthors.Where(aa => aa.ArticleId == a.Id)
                .Join(db.AuthorProfiles, aa => aa.AuthorProfileId, p => p.Id, (aa, p) => new { aa.Position, p.Id, p.Slug })
                .OrderBy(x => x.Position).ThenBy(x => x.Id).Take(1).Any(x => slugs.Contains(x.Slug)), authorsOf);
        return new(new Dictionary<string, NqlField<Article>>(StringComparer.Ordinal)
        {
            ["id"] = NqlFields.Id<Article>(a => a.Id),
            ["slug"] = NqlFields.Text<Article>(a => a.Slug),
            ["title"] = NqlFields.Text<Article>(a => a.Headline),
            ["featured"] = NqlFields.Bool<Article>(a => a.IsFeatured),
            ["published_at"] = NqlFields.Date<Article>(a => a.PublishedAt),
            ["created_at"] = NqlFields.Date<Article>(a => a.CreatedAt),
            ["updated_at"] = NqlFields.Date<Article>(a => a.UpdatedAt),
            ["visibility"] = NqlFields.Constant<Article>("public"),
            ["status"] = admin ? NqlFields.OneOf<Article, ArticleStatus>(a => a.Status, GhostStatuses) : NqlFields.Constant<Article>("published"),
            ["tag"] = tag,
            ["tags"] = tag,
            ["tags.slug"] = tag,
            ["author"] = author,
            ["authors"] = author,
            ["authors.slug"] = author,
            ["primary_tag"] = primaryTag,
            ["primary_tag.slug"] = primaryTag,
            ["primary_author"] = primaryAuthor,
            ["primary_author.slug"] = primaryAuthor,
        });
    }

    public static readonly ContentApiOrder<Article> PostOrder = new ContentApiOrder<Article>()
        .Add("published_at", a => a.PublishedAt)
        .Add("created_at", a => a.CreatedAt)
        .Add("updated_at", a => a.UpdatedAt)
        .Add("title", a => a.Headline)
        .Add("slug", a => a.Slug)
        .Add("featured", a => a.IsFeatured)
        .Add("id", a => a.Id);

    public static NqlTranslator<Tag> Tags() => new(new Dictionary<string, NqlField<Tag>>(StringComparer.Ordinal)
    {
        ["id"] = NqlFields.Id<Tag>(t => t.Id),
        ["slug"] = NqlFields.Text<Tag>(t => t.Slug),
        ["name"] = NqlFields.Text<Tag>(t => t.Name),
        ["visibility"] = NqlFields.Constant<Tag>("public"),
    });

    public static readonly ContentApiOrder<ContentTagRow> TagOrder = new ContentApiOrder<ContentTagRow>()
        .Add("name", t => t.Name)
        .Add("slug", t => t.Slug)
        .Add("created_at", t => t.CreatedAt)
        .Add("count.posts", t => t.Posts)
        .Add("id", t => t.Id);

    public static NqlTranslator<AuthorProfile> Authors() => new(new Dictionary<string, NqlField<AuthorProfile>>(StringComparer.Ordinal)
    {
        ["id"] = NqlFields.Id<AuthorProfile>(p => p.Id),
        ["slug"] = NqlFields.Text<AuthorProfile>(p => p.Slug),
        ["name"] = NqlFields.Text<AuthorProfile>(p => p.DisplayName),
    });

    public static readonly ContentApiOrder<ContentAuthorRow> AuthorOrder = new ContentApiOrder<ContentAuthorRow>()
        .Add("name", p => p.Name)
        .Add("slug", p => p.Slug)
        .Add("created_at", p => p.CreatedAt)
        .Add("count.posts", p => p.Posts)
        .Add("id", p => p.Id);
}
