using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Users;

namespace NewsCms.Web.Features.Authors;

public sealed record AuthorSummary(int Id, string DisplayName, string Slug, string JobTitle, bool HasAccount, int ArticleCount);

public sealed record AuthorDetails(int Id, string DisplayName, string Slug, string JobTitle, string Bio, int? AvatarId, string? Website,
    string? X, string? Facebook, string? LinkedIn, string? Instagram, string? Email, string? UserId);

public sealed class AuthorInput
{
    public string DisplayName { get; set; } = "";
    public string Slug { get; set; } = "";
    public string JobTitle { get; set; } = "";
    public string Bio { get; set; } = "";
    public int? AvatarId { get; set; }
    public string? Website { get; set; }
    public string? X { get; set; }
    public string? Facebook { get; set; }
    public string? LinkedIn { get; set; }
    public string? Instagram { get; set; }
    public string? Email { get; set; }

    public static AuthorInput From(AuthorDetails a) => new()
    {
        DisplayName = a.DisplayName, Slug = a.Slug, JobTitle = a.JobTitle, Bio = a.Bio, AvatarId = a.AvatarId, Website = a.Website,
        X = a.X, Facebook = a.Facebook, LinkedIn = a.LinkedIn, Instagram = a.Instagram, Email = a.Email,
    };
}

/// <summary>
/// Bylines. Every account gets one when it is made; Editors and Administrators add more for writers without an
/// account, and edit any; everyone edits their own.
/// </summary>
public sealed class AuthorProfiles(
    IDbContextFactory<NewsCmsDbContext> dbFactory,
    NewsroomActors actors,
    AuditLog audit,
    PublicContent publicContent,
    Redirects.RedirectTable redirects,
    TimeProvider clock)
{
    public async Task<ServiceResult<PagedList<AuthorSummary>>> ListAsync(ClaimsPrincipal acting, string? search, int page, int pageSize, CancellationToken ct = default)
    {
        var actor = await actors.ResolveAsync(acting, Capabilities.AccessNewsroom, ct);
        if (!actor.Succeeded) return ServiceResult<PagedList<AuthorSummary>>.Fail(actor.Error!);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var authors = db.AuthorProfiles.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(search))
        {
            authors = authors.WhereAnyContains(db.Database, search, a => a.DisplayName, a => a.JobTitle);
        }
        var total = await authors.CountAsync(ct);
        var items = await authors.OrderBy(a => a.DisplayName).Skip(Math.Max(0, page) * pageSize).Take(pageSize)
            .Select(a => new AuthorSummary(a.Id, a.DisplayName, a.Slug, a.JobTitle, a.UserId != null, db.ArticleAuthors.Count(aa => aa.AuthorProfileId == a.Id)))
            .ToListAsync(ct);
        return ServiceResult<PagedList<AuthorSummary>>.Success(new PagedList<AuthorSummary>(items, total));
    }

    /// <summary>Profiles matching a name, for the editor's "Authors" field.</summary>
    public async Task<IReadOnlyList<AuthorSummary>> FindAsync(ClaimsPrincipal acting, string? text, CancellationToken ct = default)
    {
        var page = await ListAsync(acting, text, 0, 10, ct);
        return page.Value?.Items ?? [];
    }

    public async Task<ServiceResult<AuthorDetails>> GetAsync(ClaimsPrincipal acting, int id, CancellationToken ct = default)
    {
        var actor = await actors.ResolveAsync(acting, Capabilities.AccessNewsroom, ct);
        if (!actor.Succeeded) return ServiceResult<AuthorDetails>.Fail(actor.Error!);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var author = await db.AuthorProfiles.AsNoTracking().Where(a => a.Id == id).Select(Details).FirstOrDefaultAsync(ct);
        return author is null ? ServiceResult<AuthorDetails>.Fail("That author profile does not exist.") : ServiceResult<AuthorDetails>.Success(author);
    }

    /// <summary>The acting user's own profile (made now if an older account has none).</summary>
    public async Task<ServiceResult<AuthorDetails>> GetOwnAsync(ClaimsPrincipal acting, CancellationToken ct = default)
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.AccessNewsroom, ct);
        if (!actorResult.Succeeded) return ServiceResult<AuthorDetails>.Fail(actorResult.Error!);
        var actor = actorResult.Value!;
        var id = await EnsureForAccountAsync(actor.UserId, actor.DisplayName, ct);
        return await GetAsync(acting, id, ct);
    }

    /// <summary>A byline for a writer without an account (Editors and Administrators).</summary>
    public async Task<ServiceResult<int>> CreateAsync(ClaimsPrincipal acting, AuthorInput input, CancellationToken ct = default)
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.ManageAuthors, ct);
        if (!actorResult.Succeeded) return ServiceResult<int>.Fail(actorResult.Error!);
        var invalid = Normalize(input);
        if (invalid is not null) return ServiceResult<int>.Fail(invalid);

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var slug = await ChooseSlugAsync(db, input, null, ct);
        if (slug.Error is not null) return ServiceResult<int>.Fail(slug.Error);
        var now = clock.GetUtcNow().UtcDateTime;
        var author = new AuthorProfile { CreatedAt = now };
        Apply(author, input, slug.Slug!, now);
        db.AuthorProfiles.Add(author);
        var released = await Redirects.Redirects.ReleaseAsync(db, "/author/" + author.Slug, ct);
        await db.SaveChangesAsync(ct);
        await audit.WriteAsync(actorResult.Value!, AuditActions.AuthorCreated, $"{author.DisplayName} ({author.Slug})", null, ct);
        if (released) await redirects.NotifyChangedAsync();
        // On no page yet, but in the Content API's list of authors.
        await publicContent.NotifyChangedAsync(PublicChange.Term(PublicDependencies.Author(author.Id), []));
        return ServiceResult<int>.Success(author.Id);
    }

    public async Task<ServiceResult> UpdateAsync(ClaimsPrincipal acting, int id, AuthorInput input, CancellationToken ct = default)
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.AccessNewsroom, ct);
        if (!actorResult.Succeeded) return actorResult;
        var actor = actorResult.Value!;
        var invalid = Normalize(input);
        if (invalid is not null) return ServiceResult.Fail(invalid);

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var author = await db.AuthorProfiles.FirstOrDefaultAsync(a => a.Id == id, ct);
        if (author is null) return ServiceResult.Fail("That author profile does not exist.");
        if (author.UserId != actor.UserId && !actor.Can(Capabilities.ManageAuthors)) return ServiceResult.Fail("You can edit your own profile only.");
        var slug = await ChooseSlugAsync(db, input, author, ct);
        if (slug.Error is not null) return ServiceResult.Fail(slug.Error);
        var renamed = author.DisplayName != input.DisplayName;
        var oldSlug = author.Slug;
        var now = clock.GetUtcNow().UtcDateTime;
        Apply(author, input, slug.Slug!, now);
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            // The old author page keeps working: it answers 301 to the new one.
            if (oldSlug != author.Slug) await Redirects.Redirects.AddSlugChangeAsync(db, "/author/" + oldSlug, "/author/" + author.Slug, Redirects.RedirectTargetKind.Author, author.Id, now, ct);
            await db.SaveChangesAsync(ct);
            // Readers search by author name: their articles are found by the new name.
            if (renamed) await Search.ArticleSearch.SyncBylinedAsync(db, author.Id, ct);
            await transaction.CommitAsync(ct);
        }
        await audit.WriteAsync(actor, AuditActions.AuthorUpdated, $"{author.DisplayName} ({author.Slug})", null, ct);
        if (oldSlug != author.Slug) await redirects.NotifyChangedAsync();
        await publicContent.NotifyChangedAsync(PublicChange.Term(PublicDependencies.Author(author.Id),
            await db.ArticleAuthors.Where(aa => aa.AuthorProfileId == author.Id).Select(aa => aa.ArticleId).ToListAsync(ct)));
        return ServiceResult.Ok;
    }

    /// <summary>Deletes a byline that has no account and no articles.</summary>
    public async Task<ServiceResult> DeleteAsync(ClaimsPrincipal acting, int id, CancellationToken ct = default)
    {
        var actorResult = await actors.ResolveAsync(acting, Capabilities.ManageAuthors, ct);
        if (!actorResult.Succeeded) return actorResult;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var author = await db.AuthorProfiles.FirstOrDefaultAsync(a => a.Id == id, ct);
        if (author is null) return ServiceResult.Fail("That author profile does not exist.");
        if (author.UserId is not null) return ServiceResult.Fail("This profile belongs to an account; it goes when the account is deleted.");
        var articles = await db.ArticleAuthors.CountAsync(aa => aa.AuthorProfileId == id, ct);
        if (articles > 0) return ServiceResult.Fail($"{author.DisplayName} is on the byline of {articles} article(s). Change those bylines first.");
        db.AuthorProfiles.Remove(author);
        await db.SaveChangesAsync(ct);
        await audit.WriteAsync(actorResult.Value!, AuditActions.AuthorDeleted, $"{author.DisplayName} ({author.Slug})", null, ct);
        // Its author page and feed may be cached.
        await publicContent.NotifyChangedAsync(PublicChange.Term(PublicDependencies.Author(id), []));
        return ServiceResult.Ok;
    }

    /// <summary>Makes the profile of an account if it has none; returns its id. Called when an account is made.</summary>
    public async Task<int> EnsureForAccountAsync(string userId, string displayName, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var existing = await db.AuthorProfiles.Where(a => a.UserId == userId).Select(a => (int?)a.Id).FirstOrDefaultAsync(ct);
        if (existing is { } id) return id;
        displayName = XmlSafeText.Clean(displayName).Trim();
        var (slug, _) = await Slugs.ChooseAsync(db.AuthorProfiles.Select(a => a.Slug), null, null, displayName, "author", ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var author = new AuthorProfile { DisplayName = displayName, Slug = slug!, UserId = userId, CreatedAt = now, UpdatedAt = now };
        db.AuthorProfiles.Add(author);
        var released = await Redirects.Redirects.ReleaseAsync(db, "/author/" + author.Slug, ct);
        await db.SaveChangesAsync(ct);
        if (released) await redirects.NotifyChangedAsync();
        await publicContent.NotifyChangedAsync(PublicChange.Term(PublicDependencies.Author(author.Id), []));
        return author.Id;
    }

    /// <summary>
    /// At start-up: accounts made before profiles existed get one (not integrations': theirs comes with their first article), and articles (not pages) without a byline get their creator's.
    /// Idempotent.
    /// </summary>
    public async Task BackfillAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var accounts = await db.Users.Where(u => !u.IsIntegration && !db.AuthorProfiles.Any(a => a.UserId == u.Id)).Select(u => new { u.Id, u.DisplayName }).ToListAsync(ct);
        foreach (var account in accounts) await EnsureForAccountAsync(account.Id, account.DisplayName, ct);

        // Pages have no byline by design: only articles are orphans.
        var orphans = await db.Articles.Where(a => a.Kind == ArticleKind.Article && !db.ArticleAuthors.Any(aa => aa.ArticleId == a.Id))
            .Join(db.AuthorProfiles, a => a.CreatedById, p => p.UserId, (a, p) => new { ArticleId = a.Id, ProfileId = p.Id })
            .ToListAsync(ct);
        db.ArticleAuthors.AddRange(orphans.Select(o => new ArticleAuthor { ArticleId = o.ArticleId, AuthorProfileId = o.ProfileId, Position = 0 }));
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// When an account is deleted: its bylines move to <paramref name="toProfileId"/> (and its own profile goes), or, with
    /// no target, its profile stays as a byline without an account. Articles are never deleted.
    /// </summary>
    internal static async Task ReassignAsync(NewsCmsDbContext db, string userId, int? toProfileId, CancellationToken ct)
    {
        var profile = await db.AuthorProfiles.FirstOrDefaultAsync(a => a.UserId == userId, ct);
        if (profile is null) return;
        if (toProfileId is null || toProfileId == profile.Id)
        {
            profile.UserId = null;
            return;
        }
        var bylines = await db.ArticleAuthors.Where(aa => aa.AuthorProfileId == profile.Id).ToListAsync(ct);
        var alreadyThere = (await db.ArticleAuthors.Where(aa => aa.AuthorProfileId == toProfileId).Select(aa => aa.ArticleId).ToListAsync(ct)).ToHashSet();
        db.ArticleAuthors.RemoveRange(bylines);
        db.ArticleAuthors.AddRange(bylines.Where(b => !alreadyThere.Contains(b.ArticleId))
            .Select(b => new ArticleAuthor { ArticleId = b.ArticleId, AuthorProfileId = toProfileId.Value, Position = b.Position }));
        db.AuthorProfiles.Remove(profile);
    }

    private static readonly System.Linq.Expressions.Expression<Func<AuthorProfile, AuthorDetails>> Details = a => new AuthorDetails(
        a.Id, a.DisplayName, a.Slug, a.JobTitle, a.Bio, a.AvatarId, a.Website, a.X, a.Facebook, a.LinkedIn, a.Instagram, a.Email, a.UserId);

    private static void Apply(AuthorProfile author, AuthorInput input, string slug, DateTime now)
    {
        author.DisplayName = input.DisplayName;
        author.Slug = slug;
        author.JobTitle = input.JobTitle;
        author.Bio = input.Bio;
        author.AvatarId = input.AvatarId;
        author.Website = input.Website;
        author.X = input.X;
        author.Facebook = input.Facebook;
        author.LinkedIn = input.LinkedIn;
        author.Instagram = input.Instagram;
        author.Email = input.Email;
        author.UpdatedAt = now;
    }

    /// <summary>Validates and tidies the input in place; returns the first problem, or null.</summary>
    internal static string? Normalize(AuthorInput input)
    {
        // Characters XML forbids would break the feeds that carry the byline.
        input.DisplayName = XmlSafeText.Clean(input.DisplayName).Trim();
        input.JobTitle = XmlSafeText.Clean(input.JobTitle).Trim();
        input.Bio = BioText.Clean(XmlSafeText.Clean(input.Bio));
        input.Slug = XmlSafeText.Clean(input.Slug);
        if (input.DisplayName.Length == 0) return "Enter the name shown on bylines.";
        if (input.DisplayName.Length > 200) return "The name can be at most 200 characters.";
        if (input.JobTitle.Length > 200) return "The job title can be at most 200 characters.";
        if (input.Bio.Length > BioText.MaxLength) return $"The bio can be at most {BioText.MaxLength} characters.";
        if (Slugs.Problem(input.Slug) is { } slugProblem) return slugProblem;

        string? problem;
        if ((problem = SocialLinks.Normalize(input.Website, "Website", null, out var website)) is not null) return problem;
        if ((problem = SocialLinks.Normalize(input.X, "X", "https://x.com/", out var x)) is not null) return problem;
        if ((problem = SocialLinks.Normalize(input.Facebook, "Facebook", "https://www.facebook.com/", out var facebook)) is not null) return problem;
        if ((problem = SocialLinks.Normalize(input.LinkedIn, "LinkedIn", "https://www.linkedin.com/in/", out var linkedIn)) is not null) return problem;
        if ((problem = SocialLinks.Normalize(input.Instagram, "Instagram", "https://www.instagram.com/", out var instagram)) is not null) return problem;
        input.Website = website; input.X = x; input.Facebook = facebook; input.LinkedIn = linkedIn; input.Instagram = instagram;

        input.Email = string.IsNullOrWhiteSpace(input.Email) ? null : input.Email.Trim();
        if (input.Email is not null && !new EmailAddressAttribute().IsValid(input.Email)) return "Enter a valid e-mail address, or leave it empty.";
        return null;
    }

    private static async Task<(string? Slug, string? Error)> ChooseSlugAsync(NewsCmsDbContext db, AuthorInput input, AuthorProfile? current, CancellationToken ct)
    {
        var others = db.AuthorProfiles.Where(a => current == null || a.Id != current.Id).Select(a => a.Slug);
        var (slug, taken) = await Slugs.ChooseAsync(others, input.Slug, current?.Slug, input.DisplayName, "author", ct);
        return taken ? (null, $"The slug \"{input.Slug.Trim()}\" is already used by another author.") : (slug, null);
    }
}

/// <summary>Profile links: a full http(s) address, or for social networks a handle that becomes one.</summary>
public static class SocialLinks
{
    public static string? Normalize(string? value, string label, string? handleBase, out string? normalized)
    {
        normalized = null;
        if (string.IsNullOrWhiteSpace(value)) return null;
        var text = value.Trim();
        if (handleBase is not null && !text.Contains('/') && !text.Contains(':'))
        {
            var handle = text.TrimStart('@');
            if (handle.Length == 0 || !handle.All(c => char.IsLetterOrDigit(c) || c is '_' or '.' or '-')) return $"{label}: enter a handle like @name or a full https:// address.";
            normalized = handleBase + handle;
            return null;
        }
        if (!text.Contains("://")) text = "https://" + text;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) || !uri.Host.Contains('.'))
        {
            return $"{label}: enter a full web address such as https://example.org.";
        }
        normalized = uri.AbsoluteUri;
        return null;
    }
}
