using System.Net;
using System.Security.Claims;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Authors;
using NewsCms.Web.Features.Media;
using NewsCms.Web.Features.Taxonomy;
using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Infrastructure;

/// <summary>A newsroom account the tests act as, with its byline.</summary>
public sealed record Member(string Role, string UserId, string Email, string Password, string DisplayName, ClaimsPrincipal Principal, int ProfileId);

/// <summary>Things on the shared site that sample addresses point at.</summary>
public sealed record SiteSamples(int ArticleId, string ArticleSlug, string SectionSlug, string TagSlug, int AuthorId, string AuthorSlug,
    string UserId, string MediaUrl)
{
    /// <summary>An active Content API key of an integration on the site.</summary>
    public string ContentKey { get; init; } = "";

    public int TagId { get; init; }
}

/// <summary>
/// One app for a whole test class: an account per role, a second Author whose things are "someone else's", and a
/// published article with a section, a tag, a byline without an account and an image. Tests only add to it, so they
/// stay independent of each other.
/// </summary>
public sealed class NewsroomFixture : IAsyncLifetime
{
    private readonly Dictionary<string, HttpClient> clients = [];
    private AsyncServiceScope? scope;

    public NewsCmsAppFactory App { get; private set; } = default!;

    /// <summary>One account per newsroom role (made for the tests, not the bootstrapped Administrator).</summary>
    public IReadOnlyDictionary<string, Member> ByRole { get; private set; } = default!;

    /// <summary>An Author whose articles, images and byline are someone else's for every member above.</summary>
    public Member OtherWriter { get; private set; } = default!;

    public SiteSamples Samples { get; private set; } = default!;

    /// <summary>Nobody signed in.</summary>
    public static ClaimsPrincipal Anonymous => new(new ClaimsIdentity());

    public T Service<T>() where T : notnull => scope!.Value.ServiceProvider.GetRequiredService<T>();

    public async ValueTask InitializeAsync()
    {
        App = await NewsCmsAppFactory.CreateAsync();
        scope = App.Services.CreateAsyncScope();
        var members = new Dictionary<string, Member>();
        foreach (var role in NewsroomRoles.All) members[role] = await AddMemberAsync(role, $"Matrix {role}");
        ByRole = members;
        OtherWriter = await AddMemberAsync(NewsroomRoles.Author, "Other Writer");

        var admin = members[NewsroomRoles.Administrator].Principal;
        var taxonomy = Service<TaxonomyService>();
        var section = Succeeded(await taxonomy.CreateSectionAsync(admin, new TaxonomyInput { Name = "Harbour" }));
        var tag = Succeeded(await taxonomy.CreateTagAsync(admin, new TaxonomyInput { Name = "Ferries" }));
        var authors = Service<AuthorProfiles>();
        var guestId = Succeeded(await authors.CreateAsync(admin, new AuthorInput { DisplayName = "Guest Columnist" }));
        var guest = Succeeded(await authors.GetAsync(admin, guestId));
        using var picture = new MemoryStream(TestImages.Jpeg(64, 48));
        var image = Succeeded(await Service<MediaLibrary>().UploadAsync(admin, picture, "harbour.jpg", picture.Length));

        var articles = Service<IServiceProvider>().NewsroomArticles();
        var saved = await articles.Editing.SaveAsync(admin, null, new ArticleInput
        {
            Headline = "Harbour ferry timetable changes", BodyHtml = "<p>The council changed the ferry timetable.</p>",
            SectionId = section.Id, TagIds = [tag.Id], AuthorIds = [OtherWriter.ProfileId],
        }, null, SaveKind.Manual);
        Assert.True(saved.Succeeded, saved.Error);
        Succeeded(await articles.Workflow.PublishAsync(admin, saved.Id, saved.Version));

        Samples = new SiteSamples(saved.Id, saved.Slug, section.Slug, tag.Slug, guestId, guest.Slug,
            members[NewsroomRoles.Contributor].UserId, image.OriginalUrl)
        {
            ContentKey = (await ContentApiKeys.CreateAsync(App.Services, "Matrix app")).Key,
            TagId = tag.Id,
        };
    }

    /// <summary>A client signed in over HTTP as the member of <paramref name="role"/> (null: anonymous), made once per role.</summary>
    public async Task<HttpClient> ClientAsync(string? role)
    {
        var key = role ?? "anonymous";
        if (clients.TryGetValue(key, out var client)) return client;
        client = App.CreateBrowserlikeClient();
        if (role is not null)
        {
            var member = ByRole[role];
            var signIn = await FormPost.SignInAsync(client, member.Email, member.Password);
            Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        }
        clients[key] = client;
        return client;
    }

    private async Task<Member> AddMemberAsync(string role, string displayName)
    {
        var (id, email, password) = await App.CreateUserAsync(role, displayName: displayName);
        var profileId = await Service<AuthorProfiles>().EnsureForAccountAsync(id, displayName);
        return new Member(role, id, email, password, displayName, await App.PrincipalForAsync(email), profileId);
    }

    private static T Succeeded<T>(NewsCms.Web.Features.Hosting.ServiceResult<T> result)
    {
        Assert.True(result.Succeeded, result.Error);
        return result.Value!;
    }

    private static void Succeeded(NewsCms.Web.Features.Hosting.ServiceResult result) => Assert.True(result.Succeeded, result.Error);

    public async ValueTask DisposeAsync()
    {
        foreach (var client in clients.Values) client.Dispose();
        if (scope is { } services) await services.DisposeAsync();
        if (App is not null) await App.DisposeAsync();
    }
}
