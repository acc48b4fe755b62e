using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Audit;
using NewsCms.Web.Features.Integrations;
using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Integration;

/// <summary>
/// The Ghost-compatible Admin API over HTTP with tokens signed as the official client signs them: who gets in, what
/// each role's key may do (the same as the role in the newsroom), HTML through the editor's sanitizer, the updated_at
/// concurrency check, uploads, and Ghost's error shapes.
/// </summary>
public sealed class GhostAdminApiTests(NewsroomFixture site) : IClassFixture<NewsroomFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Member Admin => site.ByRole[NewsroomRoles.Administrator];

    [Fact]
    public async Task Tokens_signed_like_the_official_client_get_in_and_every_broken_one_gets_401_in_Ghost_shape()
    {
        var integrations = site.Service<Integrations>();
        var created = (await integrations.CreateAsync(Admin.Principal, Unique("Token app"), NewsroomRoles.Editor, Ct)).Value!;
        var key = created.AdminKey;
        var (id, secret) = (key.Split(':')[0], key.Split(':')[1]);
        using var client = site.App.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await GetAsync(client, "/ghost/api/admin/posts/", GhostAdminToken.Header(key))).StatusCode);
        // The versioned prefixes older clients use, with their own audience.
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(client, "/ghost/api/v4/admin/posts/", GhostAdminToken.Header(key, "/v4/admin/"))).StatusCode);

        var refused = new Dictionary<string, string?>
        {
            ["no header"] = null,
            ["another scheme"] = "Bearer " + GhostAdminToken.Sign(key),
            ["bad signature"] = "Ghost " + GhostAdminToken.Sign(key, secretHex: new string('0', 64)),
            ["unknown kid"] = "Ghost " + GhostAdminToken.Sign(key, kid: "0123456789abcdef01234567"),
            ["wrong audience"] = "Ghost " + GhostAdminToken.Sign(key, audience: "/content/"),
            ["expired"] = "Ghost " + GhostAdminToken.Sign(key, issuedAt: DateTimeOffset.UtcNow.AddMinutes(-10)),
            ["living longer than 5 minutes"] = "Ghost " + GhostAdminToken.Sign(key, life: TimeSpan.FromMinutes(30)),
            ["not a token"] = "Ghost not-a-token",
        };
        foreach (var (what, header) in refused)
        {
            using var response = await GetAsync(client, "/ghost/api/admin/posts/", header);
            await AssertGhostErrorAsync(response, HttpStatusCode.Unauthorized, "UnauthorizedError", what);
        }

        // A revoked key, then a deleted integration, stop working at once.
        var other = (await integrations.CreateAsync(Admin.Principal, Unique("Revoked app"), NewsroomRoles.Editor, Ct)).Value!;
        Assert.True((await integrations.RevokeKeyAsync(Admin.Principal, created.Id, IntegrationKeyKind.Admin, Ct)).Succeeded);
        await AssertGhostErrorAsync(await GetAsync(client, "/ghost/api/admin/posts/", GhostAdminToken.Header(key)), HttpStatusCode.Unauthorized, "UnauthorizedError", "revoked key");
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(client, "/ghost/api/admin/posts/", GhostAdminToken.Header(other.AdminKey))).StatusCode);
        Assert.True((await integrations.DeleteAsync(Admin.Principal, other.Id, Ct)).Succeeded);
        await AssertGhostErrorAsync(await GetAsync(client, "/ghost/api/admin/posts/", GhostAdminToken.Header(other.AdminKey)), HttpStatusCode.Unauthorized, "UnauthorizedError", "deleted integration");
        _ = id;
        _ = secret;
    }

    /// <summary>
    /// The route table's Admin API routes (<see cref="Access.AdminApiKey"/>) tried with each role's Admin API key and
    /// with a Content API key: every Admin key gets past authentication (what it may then do is the role matrix
    /// below), a Content key never does.
    /// </summary>
    [Fact]
    public async Task Every_Admin_API_route_lets_in_each_roles_admin_key_and_refuses_a_content_key()
    {
        using var client = site.App.CreateClient();
        var routes = RouteRules.Routes(site.App.Services).Where(r => r.Rule?.Access == Access.AdminApiKey).ToList();
        Assert.NotEmpty(routes);
        var failures = new List<string>();
        foreach (var role in NewsroomRoles.All)
        {
            var created = (await site.Service<Integrations>().CreateAsync(Admin.Principal, Unique($"{role} route app"), role, Ct)).Value!;
            foreach (var (pattern, methods, rule) in routes)
            {
                var url = rule!.UrlFor(site.Samples, pattern);
                var method = RouteRules.MethodToTry(methods);
                var audience = "/" + string.Join('/', url.Split('/', StringSplitOptions.RemoveEmptyEntries).Skip(2).TakeWhile(s => s != "admin").Append("admin")) + "/";
                using (var request = new HttpRequestMessage(method, url))
                {
                    request.Headers.TryAddWithoutValidation("Authorization", GhostAdminToken.Header(created.AdminKey, audience));
                    using var response = await client.SendAsync(request, Ct);
                    if (response.StatusCode == HttpStatusCode.Unauthorized) failures.Add($"{method} {url} with the {role} Admin key (aud {audience}): 401");
                }
                using (var withContentKey = new HttpRequestMessage(method, url + "?key=" + created.ContentKey))
                {
                    using var response = await client.SendAsync(withContentKey, Ct);
                    if (response.StatusCode != HttpStatusCode.Unauthorized) failures.Add($"{method} {url} with a Content key: {(int)response.StatusCode}, expected 401");
                }
            }
        }
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public async Task A_signed_in_newsroom_cookie_is_not_accepted()
    {
        var browser = await site.ClientAsync(NewsroomRoles.Administrator);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/admin", Ct)).StatusCode);
        using var response = await browser.GetAsync("/ghost/api/admin/posts/", Ct);
        await AssertGhostErrorAsync(response, HttpStatusCode.Unauthorized, "UnauthorizedError", "cookie");
        using var post = await browser.PostAsync("/ghost/api/admin/posts/", Json(new JsonObject { ["posts"] = new JsonArray(new JsonObject { ["title"] = "Cookie" }) }), Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, post.StatusCode);
    }

    [Fact]
    public async Task A_post_from_html_is_sanitized_filed_with_tags_and_authors_published_and_audited_in_the_integrations_name()
    {
        var name = Unique("Wire desk");
        var key = await KeyAsync(NewsroomRoles.Editor, name);
        using var client = site.App.CreateClient();
        var newTag = Unique("Api tag");
        var body = new JsonObject
        {
            ["posts"] = new JsonArray(new JsonObject
            {
                ["title"] = "Ferry strike ends",
                ["html"] = "<p>Boats sail again.</p><script>alert('x')</script><p onclick=\"steal()\">Crews <strong>return</strong>.</p>",
                ["status"] = "published",
                ["custom_excerpt"] = "The strike is over.",
                ["meta_title"] = "Strike over",
                ["tags"] = new JsonArray(new JsonObject { ["name"] = newTag }, "Ferries"),
                ["authors"] = new JsonArray(new JsonObject { ["id"] = site.OtherWriter.ProfileId.ToString() }),
            }),
        };
        using var response = await SendAsync(client, HttpMethod.Post, "/ghost/api/admin/posts/?source=html&formats=html", key, body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var post = (await ReadAsync(response))["posts"]![0]!;
        Assert.Equal("published", post["status"]!.GetValue<string>());
        Assert.Equal("Ferry strike ends", post["title"]!.GetValue<string>());
        Assert.Equal("The strike is over.", post["custom_excerpt"]!.GetValue<string>());
        var html = post["html"]!.GetValue<string>();
        Assert.Contains("Boats sail again.", html);
        Assert.Contains("<strong>return</strong>", html);
        Assert.DoesNotContain("script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("onclick", html, StringComparison.OrdinalIgnoreCase);
        Assert.Equal([newTag, "Ferries"], post["tags"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()).OrderBy(n => n == "Ferries"));
        Assert.Equal("Other Writer", post["primary_author"]!["name"]!.GetValue<string>());
        Assert.StartsWith("https://news.example.test/news/ferry-strike-ends", post["url"]!.GetValue<string>());

        // Readers see it, and the audit log names the integration as who published it.
        using var reader = site.App.CreateClient();
        var page = await reader.GetStringAsync(new Uri(post["url"]!.GetValue<string>()).AbsolutePath, Ct);
        Assert.Contains("Boats sail again.", page);
        var id = int.Parse(post["id"]!.GetValue<string>());
        await using var db = await DbAsync();
        var entry = await db.AuditEntries.AsNoTracking().Where(e => e.Action == AuditActions.ArticlePublished && e.Target.Contains($"(#{id})")).SingleAsync(Ct);
        Assert.Equal(name, entry.ActorName);
        Assert.Contains(await db.AuditEntries.AsNoTracking().Where(e => e.Action == AuditActions.TagCreated).Select(e => e.ActorName).ToListAsync(Ct), n => n == name);
    }

    [Fact]
    public async Task Html_is_read_only_with_source_html_as_in_Ghost()
    {
        var key = await KeyAsync(NewsroomRoles.Author);
        using var client = site.App.CreateClient();
        using var response = await SendAsync(client, HttpMethod.Post, "/ghost/api/admin/posts/?formats=html", key,
            Posts(new JsonObject { ["title"] = Unique("No source"), ["html"] = "<p>Ignored without source=html</p>" }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var post = (await ReadAsync(response))["posts"]![0]!;
        Assert.Equal("draft", post["status"]!.GetValue<string>());
        Assert.DoesNotContain("Ignored", post["html"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_edit_needs_the_current_updated_at_a_stale_one_is_answered_409_and_changes_nothing()
    {
        var key = await KeyAsync(NewsroomRoles.Editor);
        using var client = site.App.CreateClient();
        var post = await AddAsync(client, key, new JsonObject { ["title"] = Unique("Versioned"), ["html"] = "<p>First</p>" });
        var id = post["id"]!.GetValue<string>();
        var seen = post["updated_at"]!.GetValue<string>();

        using (var missing = await SendAsync(client, HttpMethod.Put, $"/ghost/api/admin/posts/{id}/", key, Posts(new JsonObject { ["title"] = "No version" })))
        {
            await AssertGhostErrorAsync(missing, HttpStatusCode.UnprocessableEntity, "ValidationError", "no updated_at");
        }
        using (var first = await SendAsync(client, HttpMethod.Put, $"/ghost/api/admin/posts/{id}/?source=html&formats=html", key,
            Posts(new JsonObject { ["title"] = "Edited once", ["html"] = "<p>Second</p>", ["updated_at"] = seen })))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            var edited = (await ReadAsync(first))["posts"]![0]!;
            Assert.Equal("Edited once", edited["title"]!.GetValue<string>());
            Assert.Contains("Second", edited["html"]!.GetValue<string>());
        }
        // Someone else saved meanwhile: the version the caller saw is stale.
        using (var stale = await SendAsync(client, HttpMethod.Put, $"/ghost/api/admin/posts/{id}/", key, Posts(new JsonObject { ["title"] = "Overwrite", ["updated_at"] = seen })))
        {
            var error = await AssertGhostErrorAsync(stale, HttpStatusCode.Conflict, "UpdateCollisionError", "stale updated_at");
            Assert.Equal("Saving failed! Someone else is editing this post.", error["message"]!.GetValue<string>());
        }
        await using var db = await DbAsync();
        Assert.Equal("Edited once", await db.Articles.Where(a => a.Id == int.Parse(id)).Select(a => a.Headline).SingleAsync(Ct));
    }

    [Fact]
    public async Task Each_roles_key_can_do_exactly_what_the_role_can_do_in_the_newsroom()
    {
        using var client = site.App.CreateClient();
        var failures = new List<string>();
        var articles = site.Service<IServiceProvider>().NewsroomArticles();
        foreach (var role in NewsroomRoles.All)
        {
            var key = await KeyAsync(role);
            void Expect(string what, bool allowed, HttpResponseMessage response, HttpStatusCode success)
            {
                var expected = allowed ? success : HttpStatusCode.Forbidden;
                if (response.StatusCode != expected) failures.Add($"{role}: {what} answered {(int)response.StatusCode}, expected {(int)expected}");
            }

            // A draft of its own: every role.
            using var draft = await SendAsync(client, HttpMethod.Post, "/ghost/api/admin/posts/", key, Posts(new JsonObject { ["title"] = Unique($"{role} draft") }));
            Expect("add a draft", true, draft, HttpStatusCode.Created);
            var own = draft.IsSuccessStatusCode ? (await ReadAsync(draft))["posts"]![0]! : null;

            // Publishing its own: those who publish.
            var storyTitle = Unique($"{role} story");
            using var published = await SendAsync(client, HttpMethod.Post, "/ghost/api/admin/posts/", key, Posts(new JsonObject { ["title"] = storyTitle, ["status"] = "published" }));
            Expect("add a published post", ArticleWorkflow.Allows(role, ArticleAction.Publish, isOwn: true, ArticleStatus.Draft, trashed: false), published, HttpStatusCode.Created);
            // A refusal leaves nothing half-done (no draft left behind).
            await using (var db = await DbAsync())
            {
                if (!published.IsSuccessStatusCode && await db.Articles.AnyAsync(a => a.Headline == storyTitle, Ct)) failures.Add($"{role}: a refused publish left a draft");
            }
            if (own is not null)
            {
                using var publish = await SendAsync(client, HttpMethod.Put, $"/ghost/api/admin/posts/{own["id"]}/", key,
                    Posts(new JsonObject { ["status"] = "published", ["updated_at"] = own["updated_at"]!.GetValue<string>() }));
                Expect("publish its own draft", ArticleWorkflow.Allows(role, ArticleAction.Publish, isOwn: true, ArticleStatus.Draft, trashed: false), publish, HttpStatusCode.OK);
            }

            // Someone else's published story: the desk edits it; others may not even open it.
            var theirs = await OthersPublishedAsync(articles);
            using var editTheirs = await SendAsync(client, HttpMethod.Put, $"/ghost/api/admin/posts/{theirs.Id}/", key,
                Posts(new JsonObject { ["title"] = Unique("Desk edit"), ["updated_at"] = theirs.UpdatedAt }));
            Expect("edit someone else's published post", ArticleWorkflow.Allows(role, ArticleAction.Edit, isOwn: false, ArticleStatus.Published, trashed: false), editTheirs, HttpStatusCode.OK);

            // Publishing someone else's draft: the desk only.
            var otherDraft = await OthersDraftAsync(articles);
            using var publishTheirs = await SendAsync(client, HttpMethod.Put, $"/ghost/api/admin/posts/{otherDraft}/", key,
                Posts(new JsonObject { ["status"] = "published", ["updated_at"] = await UpdatedAtAsync(otherDraft) }));
            Expect("publish someone else's draft", ArticleWorkflow.Allows(role, ArticleAction.Publish, isOwn: false, ArticleStatus.Draft, trashed: false), publishTheirs, HttpStatusCode.OK);

            // Deleting (to the trash) someone else's draft: those who may trash.
            var theirDraft = await OthersDraftAsync(articles);
            using var delete = await SendAsync(client, HttpMethod.Delete, $"/ghost/api/admin/posts/{theirDraft}/", key, null);
            Expect("delete someone else's draft", ArticleWorkflow.Allows(role, ArticleAction.Trash, isOwn: false, ArticleStatus.Draft, trashed: false), delete, HttpStatusCode.NoContent);

            // Tags: Authors add them while writing, the desk edits them.
            using var addTag = await SendAsync(client, HttpMethod.Post, "/ghost/api/admin/tags/", key, new JsonObject { ["tags"] = new JsonArray(new JsonObject { ["name"] = Unique("Role tag") }) });
            Expect("add a tag", Capabilities.Allows(role, Capabilities.CreateTags), addTag, HttpStatusCode.Created);
            using var tagOnPost = await SendAsync(client, HttpMethod.Post, "/ghost/api/admin/posts/", key,
                Posts(new JsonObject { ["title"] = Unique("Tagged"), ["tags"] = new JsonArray(Unique("Brand new tag")) }));
            Expect("add a post with a new tag", Capabilities.Allows(role, Capabilities.CreateTags), tagOnPost, HttpStatusCode.Created);
            using var existingTag = await SendAsync(client, HttpMethod.Post, "/ghost/api/admin/posts/", key,
                Posts(new JsonObject { ["title"] = Unique("Tagged"), ["tags"] = new JsonArray(new JsonObject { ["slug"] = site.Samples.TagSlug }) }));
            Expect("add a post with an existing tag", true, existingTag, HttpStatusCode.Created);
            var tagId = await TagIdAsync(site.Samples.TagSlug);
            using var editTag = await SendAsync(client, HttpMethod.Put, $"/ghost/api/admin/tags/{tagId}/", key,
                new JsonObject { ["tags"] = new JsonArray(new JsonObject { ["description"] = Unique("Boats") }) });
            Expect("edit a tag", Capabilities.Allows(role, Capabilities.ManageTaxonomy), editTag, HttpStatusCode.OK);
            if (!draft.IsSuccessStatusCode || !addTag.IsSuccessStatusCode && Capabilities.Allows(role, Capabilities.CreateTags))
            {
                failures.Add($"{role}: {await draft.Content.ReadAsStringAsync(Ct)} {await addTag.Content.ReadAsStringAsync(Ct)}");
            }
        }
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public async Task Scheduling_needs_a_time_in_the_future_and_a_role_that_publishes()
    {
        using var client = site.App.CreateClient();
        var editor = await KeyAsync(NewsroomRoles.Editor);
        var at = DateTime.UtcNow.AddDays(2);
        using var scheduled = await SendAsync(client, HttpMethod.Post, "/ghost/api/admin/posts/", editor,
            Posts(new JsonObject { ["title"] = Unique("Later"), ["status"] = "scheduled", ["published_at"] = at.ToString("O") }));
        Assert.Equal(HttpStatusCode.Created, scheduled.StatusCode);
        var post = (await ReadAsync(scheduled))["posts"]![0]!;
        Assert.Equal("scheduled", post["status"]!.GetValue<string>());
        Assert.Equal(at.ToString("yyyy-MM-ddTHH:mm"), DateTime.Parse(post["published_at"]!.GetValue<string>()).ToUniversalTime().ToString("yyyy-MM-ddTHH:mm"));

        using var past = await SendAsync(client, HttpMethod.Post, "/ghost/api/admin/posts/", editor,
            Posts(new JsonObject { ["title"] = Unique("Past"), ["status"] = "scheduled", ["published_at"] = DateTime.UtcNow.AddDays(-1).ToString("O") }));
        await AssertGhostErrorAsync(past, HttpStatusCode.UnprocessableEntity, "ValidationError", "scheduled in the past");

        var contributor = await KeyAsync(NewsroomRoles.Contributor);
        using var refused = await SendAsync(client, HttpMethod.Post, "/ghost/api/admin/posts/", contributor,
            Posts(new JsonObject { ["title"] = Unique("Contributor later"), ["status"] = "scheduled", ["published_at"] = at.ToString("O") }));
        await AssertGhostErrorAsync(refused, HttpStatusCode.Forbidden, "NoPermissionError", "contributor schedules");
    }

    [Fact]
    public async Task An_edit_moves_a_post_between_draft_scheduled_and_published_through_the_workflow()
    {
        using var client = site.App.CreateClient();
        var key = await KeyAsync(NewsroomRoles.Author);
        var post = await AddAsync(client, key, new JsonObject { ["title"] = Unique("Moving"), ["html"] = "<p>Text</p>" });
        async Task<JsonNode> EditAsync(JsonObject fields)
        {
            fields["updated_at"] = post!["updated_at"]!.GetValue<string>();
            using var response = await SendAsync(client, HttpMethod.Put, $"/ghost/api/admin/posts/{post["id"]}/", key, Posts(fields));
            return post = (await ReadAsync(response))["posts"]![0]!;
        }
        var at = DateTime.UtcNow.AddDays(1);
        Assert.Equal("scheduled", (await EditAsync(new JsonObject { ["status"] = "scheduled", ["published_at"] = at.ToString("O") }))["status"]!.GetValue<string>());
        Assert.Equal("published", (await EditAsync(new JsonObject { ["status"] = "published" }))["status"]!.GetValue<string>());
        Assert.Equal("draft", (await EditAsync(new JsonObject { ["status"] = "draft" }))["status"]!.GetValue<string>());
        Assert.Null(post["published_at"]);
        await using var db = await DbAsync();
        var actions = await db.AuditEntries.AsNoTracking().Where(e => e.Target.Contains($"(#{post["id"]})")).OrderBy(e => e.Id).Select(e => e.Action).ToListAsync(Ct);
        Assert.Equal([AuditActions.ArticleScheduled, AuditActions.ArticlePublished, AuditActions.ArticleUnpublished], actions);
    }

    [Fact]
    public async Task Delete_moves_the_post_to_the_trash_and_it_is_then_not_found()
    {
        using var client = site.App.CreateClient();
        var key = await KeyAsync(NewsroomRoles.Editor);
        var post = await AddAsync(client, key, new JsonObject { ["title"] = Unique("Short-lived") });
        var id = post["id"]!.GetValue<string>();
        using (var deleted = await SendAsync(client, HttpMethod.Delete, $"/ghost/api/admin/posts/{id}/", key, null))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }
        await AssertGhostErrorAsync(await SendAsync(client, HttpMethod.Get, $"/ghost/api/admin/posts/{id}/", key, null), HttpStatusCode.NotFound, "NotFoundError", "trashed");
        await using var db = await DbAsync();
        Assert.NotNull(await db.Articles.Where(a => a.Id == int.Parse(id)).Select(a => a.TrashedAt).SingleAsync(Ct));
    }

    [Fact]
    public async Task Browse_pages_filters_by_status_slug_and_id_and_refuses_a_filter_it_does_not_understand()
    {
        using var client = site.App.CreateClient();
        var key = await KeyAsync(NewsroomRoles.Editor);
        var slug = "browse-" + Guid.NewGuid().ToString("N")[..8];
        var post = await AddAsync(client, key, new JsonObject { ["title"] = "Browse me", ["slug"] = slug });
        var page = await ReadAsync(await SendAsync(client, HttpMethod.Get, $"/ghost/api/admin/posts/?filter=slug:{slug}%2Bstatus:draft&limit=1", key, null));
        Assert.Equal(post["id"]!.GetValue<string>(), page["posts"]![0]!["id"]!.GetValue<string>());
        Assert.Equal(1, page["meta"]!["pagination"]!["total"]!.GetValue<int>());
        var byId = await ReadAsync(await SendAsync(client, HttpMethod.Get, $"/ghost/api/admin/posts/?filter=id:[{post["id"]}]", key, null));
        Assert.Single(byId["posts"]!.AsArray());
        var bySlug = await ReadAsync(await SendAsync(client, HttpMethod.Get, $"/ghost/api/admin/posts/slug/{slug}/", key, null));
        Assert.Equal("draft", bySlug["posts"]![0]!["status"]!.GetValue<string>());
        // Paging over posts of its own: the class's site is shared, so how many others exist depends on test order.
        var second = await AddAsync(client, key, new JsonObject { ["title"] = "Browse me too", ["slug"] = slug + "-2" });
        var third = await AddAsync(client, key, new JsonObject { ["title"] = "Browse me three", ["slug"] = slug + "-3" });
        var mine = $"filter=id:[{post["id"]},{second["id"]},{third["id"]}]";
        var all = await ReadAsync(await SendAsync(client, HttpMethod.Get, $"/ghost/api/admin/posts/?{mine}&limit=2&page=1", key, null));
        Assert.Equal(2, all["posts"]!.AsArray().Count);
        Assert.Equal(3, all["meta"]!["pagination"]!["total"]!.GetValue<int>());
        Assert.Equal(2, all["meta"]!["pagination"]!["next"]!.GetValue<int>());
        await AssertGhostErrorAsync(await SendAsync(client, HttpMethod.Get, "/ghost/api/admin/posts/?filter=colour:red", key, null), HttpStatusCode.BadRequest, "BadRequestError", "unsupported filter");
    }

    /// <summary>
    /// Admin browse reads the Content API's NQL, plus status (draft takes in review), against real rows: tag, status and
    /// their combinations with +, commas, lists, negation and parentheses; order and fields as the Content API has them.
    /// The filter narrows what the key may list and never widens it: a Contributor's key still sees only its own.
    /// </summary>
    [Fact]
    public async Task Browse_filters_with_NQL_by_status_tag_and_their_combinations()
    {
        using var client = site.App.CreateClient();
        var key = await KeyAsync(NewsroomRoles.Editor);
        var tag = "nql-" + Guid.NewGuid().ToString("N")[..8];
        var tags = new JsonArray(new JsonObject { ["name"] = tag, ["slug"] = tag });
        var draft = await AddAsync(client, key, new JsonObject { ["title"] = "B draft " + tag, ["tags"] = tags.DeepClone() });
        var published = await AddAsync(client, key, new JsonObject { ["title"] = "A published " + tag, ["tags"] = tags.DeepClone(), ["status"] = "published" });
        var untagged = await AddAsync(client, key, new JsonObject { ["title"] = "C untagged " + tag });

        async Task<List<string>> Ids(string query)
        {
            var page = await ReadAsync(await SendAsync(client, HttpMethod.Get, "/ghost/api/admin/posts/?" + query, key, null));
            return [.. page["posts"]!.AsArray().Select(p => p!["id"]!.GetValue<string>())];
        }
        string Id(JsonNode post) => post["id"]!.GetValue<string>();
        string F(string filter) => "filter=" + Uri.EscapeDataString(filter);

        Assert.Equal([Id(draft)], await Ids(F($"tag:{tag}+status:draft")));
        Assert.Equal([Id(published)], await Ids(F($"status:published+tags:[{tag}]")));
        Assert.Equal([Id(published), Id(draft)], await Ids(F($"tag:{tag}") + "&order=title%20asc"));
        Assert.Equal([Id(draft), Id(published)], await Ids(F($"tag:{tag}+status:[draft,published]") + "&order=title%20desc"));
        Assert.Equal([Id(draft)], await Ids(F($"tag:{tag}+-status:published")));
        Assert.Equal([Id(draft), Id(untagged)], await Ids(F($"title:~'{tag}'+(status:draft,status:scheduled)") + "&order=title%20asc"));
        Assert.Equal([Id(untagged)], await Ids(F($"title:~'{tag}'+tag:-{tag}")));
        Assert.Empty(await Ids(F($"tag:{tag}+status:scheduled")));

        // In review is a draft for Ghost.
        await using (var db = await DbAsync())
        {
            var draftId = int.Parse(Id(draft));
            await db.Articles.Where(a => a.Id == draftId).ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, ArticleStatus.InReview), Ct);
        }
        Assert.Equal([Id(draft)], await Ids(F($"tag:{tag}+status:draft")));

        // fields= trims each post as in the Content API.
        var trimmed = await ReadAsync(await SendAsync(client, HttpMethod.Get, $"/ghost/api/admin/posts/?{F($"id:{Id(published)}")}&fields=id,title", key, null));
        Assert.Equal(["id", "title"], trimmed["posts"]![0]!.AsObject().Select(p => p.Key).Order());

        // Another writer's published story: the desk's key finds it, a Contributor's does not, whatever the filter says.
        var (others, _) = await OthersPublishedAsync(site.Service<IServiceProvider>().NewsroomArticles());
        Assert.Single(await Ids(F($"id:{others}+status:published")));
        var contributor = await KeyAsync(NewsroomRoles.Contributor);
        using (var response = await SendAsync(client, HttpMethod.Get, "/ghost/api/admin/posts/?" + F($"id:{others},status:published,status:-published"), contributor, null))
        {
            var page = await ReadAsync(response);
            Assert.DoesNotContain(page["posts"]!.AsArray(), p => p!["id"]!.GetValue<string>() == others.ToString());
        }

        // What it cannot answer is a 400, never a silently wider list.
        foreach (var bad in (string[])["status:archived", "colour:red", "status:>draft", "tag:(", "published_at:>'soon'"])
        {
            await AssertGhostErrorAsync(await SendAsync(client, HttpMethod.Get, "/ghost/api/admin/posts/?" + F(bad), key, null), HttpStatusCode.BadRequest, "BadRequestError", bad);
        }
        await AssertGhostErrorAsync(await SendAsync(client, HttpMethod.Get, "/ghost/api/admin/posts/?order=colour%20asc", key, null), HttpStatusCode.BadRequest, "BadRequestError", "order");

        // Tags browse takes the same language.
        var tagPage = await ReadAsync(await SendAsync(client, HttpMethod.Get, "/ghost/api/admin/tags/?" + F($"slug:{tag},name:'{tag}'") + "&include=count.posts", key, null));
        var found = Assert.Single(tagPage["tags"]!.AsArray());
        Assert.Equal(2, found!["count"]!["posts"]!.GetValue<int>());
        await AssertGhostErrorAsync(await SendAsync(client, HttpMethod.Get, "/ghost/api/admin/tags/?" + F("colour:red"), key, null), HttpStatusCode.BadRequest, "BadRequestError", "tag filter");
    }

    /// <summary>
    /// The OpenAPI document describes the real JSON of both APIs (the fuzzer validates every answer against it): every
    /// operation its parameters, bodies and each status with its schema; GhostPost in Ghost's names, nullable where null
    /// is sent, nothing required (fields= leaves any out).
    /// </summary>
    [Fact]
    public async Task The_openapi_document_declares_parameters_bodies_and_every_answer_of_both_apis()
    {
        using var anonymous = site.App.CreateClient(new() { HandleCookies = false, AllowAutoRedirect = false });
        using var answer = await anonymous.GetAsync("/openapi/v1.json", Ct);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var document = JsonNode.Parse(await answer.Content.ReadAsStringAsync(Ct))!.AsObject();
        var failures = new List<string>();
        var count = 0;
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            if (!path.StartsWith("/ghost/api/", StringComparison.Ordinal)) continue;
            foreach (var (method, operation) in item!.AsObject())
            {
                if (method == "parameters") continue;
                count++;
                var responses = operation!["responses"]?.AsObject();
                if (responses is null || responses.Count == 0) failures.Add($"{method} {path}: no responses");
                foreach (var (status, response) in responses ?? [])
                {
                    var schema = response!["content"]?["application/json"]?["schema"];
                    if (status == "204") { if (schema is not null) failures.Add($"{method} {path} 204 has a body"); }
                    else if (schema is null) failures.Add($"{method} {path} {status}: no JSON schema");
                }
                var admin = path.Contains("/admin/", StringComparison.Ordinal);
                if (admin && !path.EndsWith("/site", StringComparison.Ordinal))
                {
                    foreach (var status in new[] { "401", "403", "500" })
                    {
                        if (responses?[status] is null) failures.Add($"{method} {path}: {status} not declared");
                    }
                }
                if (method is "post" or "put" && operation["requestBody"]?["content"] is not JsonObject { Count: > 0 }) failures.Add($"{method} {path}: no request body");
                foreach (var name in System.Text.RegularExpressions.Regex.Matches(path, "{([a-z]+)}").Select(m => m.Groups[1].Value))
                {
                    if (operation["parameters"]?.AsArray().Any(p => (string?)p!["name"] == name && (string?)p["in"] == "path") != true) failures.Add($"{method} {path}: path parameter {name} not declared");
                }
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(count > 25, $"only {count} operations");

        var paths = document["paths"]!;
        var browse = paths["/ghost/api/admin/posts"]!["get"]!;
        var limit = browse["parameters"]!.AsArray().Single(p => (string?)p!["name"] == "limit")!;
        Assert.Contains("string", limit["schema"]!["type"]!.ToJsonString());
        Assert.Equal(["fields", "filter", "formats", "include", "limit", "order", "page"], browse["parameters"]!.AsArray().Select(p => (string)p!["name"]!).Order());
        Assert.Contains("GhostPostsRequest", paths["/ghost/api/admin/posts"]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!.ToJsonString());
        Assert.NotNull(paths["/ghost/api/admin/images/upload"]!["post"]!["requestBody"]!["content"]!["multipart/form-data"]);
        Assert.Contains("GhostImagesResponse", paths["/ghost/api/admin/images/upload"]!["post"]!["responses"]!["201"]!.ToJsonString());
        Assert.Contains("GhostSiteResponse", paths["/ghost/api/admin/site"]!["get"]!["responses"]!["200"]!.ToJsonString());

        var schemas = document["components"]!["schemas"]!.AsObject();
        var post = schemas["GhostPost"]!.AsObject();
        var properties = post["properties"]!.AsObject();
        foreach (var name in new[] { "id", "uuid", "title", "slug", "html", "status", "url", "excerpt", "custom_excerpt", "feature_image", "featured",
            "published_at", "updated_at", "created_at", "tags", "authors", "primary_tag", "primary_author", "reading_time", "meta_title", "canonical_url" })
        {
            Assert.True(properties.ContainsKey(name), $"GhostPost has no {name}");
        }
        Assert.True(post["required"] is null || post["required"]!.AsArray().Count == 0, "fields= may leave any field out");
        Assert.Contains("null", properties["feature_image"]!.ToJsonString());
        Assert.Contains("null", properties["published_at"]!.ToJsonString());
        // A read answers without meta: it may be absent.
        foreach (var name in new[] { "GhostPostsResponse", "GhostPagesResponse", "GhostTagsResponse", "GhostAuthorsResponse" })
        {
            Assert.DoesNotContain("meta", schemas[name]!["required"]?.AsArray().Select(r => (string)r!) ?? []);
        }
        // Every operation may meet the server's own 400 (a request it cannot read).
        Assert.NotNull(paths["/ghost/api/content/posts/{id}"]!["get"]!["responses"]!["400"]);
    }

    [Fact]
    public async Task Pages_are_added_and_read_as_pages()
    {
        using var client = site.App.CreateClient();
        var key = await KeyAsync(NewsroomRoles.Editor);
        using var added = await SendAsync(client, HttpMethod.Post, "/ghost/api/admin/pages/?source=html", key,
            new JsonObject { ["pages"] = new JsonArray(new JsonObject { ["title"] = Unique("About the wire"), ["html"] = "<p>Who we are.</p>", ["status"] = "published" }) });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var page = (await ReadAsync(added))["pages"]![0]!;
        Assert.Equal("published", page["status"]!.GetValue<string>());
        var read = await ReadAsync(await SendAsync(client, HttpMethod.Get, $"/ghost/api/admin/pages/{page["id"]}/", key, null));
        Assert.Equal(page["id"]!.GetValue<string>(), read["pages"]![0]!["id"]!.GetValue<string>());
        // A page is not a post.
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(client, HttpMethod.Get, $"/ghost/api/admin/posts/{page["id"]}/", key, null)).StatusCode);
    }

    [Fact]
    public async Task Images_go_through_the_media_librarys_checks()
    {
        using var client = site.App.CreateClient();
        var key = await KeyAsync(NewsroomRoles.Contributor);
        using (var ok = await UploadAsync(client, key, TestImages.Jpeg(40, 30), "harbour.jpg", "image/jpeg", reference: "harbour.jpg"))
        {
            Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
            var image = (await ReadAsync(ok))["images"]![0]!;
            var url = image["url"]!.GetValue<string>();
            Assert.StartsWith("https://news.example.test/media/", url);
            Assert.Equal("harbour.jpg", image["ref"]!.GetValue<string>());
            using var reader = site.App.CreateClient();
            Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(new Uri(url).AbsolutePath, Ct)).StatusCode);
            // Usable as a post's feature image.
            var post = await AddAsync(client, key, new JsonObject { ["title"] = Unique("With picture"), ["feature_image"] = url });
            Assert.Equal(url, post["feature_image"]!.GetValue<string>());
        }
        await AssertGhostErrorAsync(await UploadAsync(client, key, "not an image at all"u8.ToArray(), "fake.jpg", "image/jpeg"), HttpStatusCode.UnsupportedMediaType, "UnsupportedMediaTypeError", "text as jpg");
        await AssertGhostErrorAsync(await UploadAsync(client, key, "hello"u8.ToArray(), "notes.txt", "text/plain"), HttpStatusCode.UnsupportedMediaType, "UnsupportedMediaTypeError", "txt");
        using var nothing = new MultipartFormDataContent { { new StringContent("image"), "purpose" } };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/ghost/api/admin/images/upload/") { Content = nothing };
        request.Headers.Authorization = AuthenticationHeaderValue.Parse(GhostAdminToken.Header(key));
        await AssertGhostErrorAsync(await client.SendAsync(request, Ct), HttpStatusCode.UnprocessableEntity, "ValidationError", "no file");
        // An outside address is not one of the library's images.
        using var outside = await SendAsync(client, HttpMethod.Post, "/ghost/api/admin/posts/", key, Posts(new JsonObject { ["title"] = "Hotlink", ["feature_image"] = "https://elsewhere.example/a.jpg" }));
        await AssertGhostErrorAsync(outside, HttpStatusCode.UnprocessableEntity, "ValidationError", "outside image");
    }

    [Fact]
    public async Task A_body_over_the_limit_is_answered_413()
    {
        using var client = site.App.CreateClient();
        var key = await KeyAsync(NewsroomRoles.Editor);
        var huge = new string('a', (int)Web.Features.GhostApi.GhostAdminApi.MaxJsonBytes + 10);
        using var response = await SendAsync(client, HttpMethod.Post, "/ghost/api/admin/posts/?source=html", key, Posts(new JsonObject { ["title"] = "Huge", ["html"] = huge }));
        await AssertGhostErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "RequestEntityTooLargeError", "huge body");
    }

    [Fact]
    public async Task An_image_over_the_media_librarys_limit_is_answered_413()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync(new() { ["NewsCms:Media:MaxUploadMegabytes"] = "0.01" });
        using var client = app.CreateClient();
        var created = (await app.Services.CreateAsyncScope().ServiceProvider.GetRequiredService<Integrations>()
            .CreateAsync(await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail), "Uploader", NewsroomRoles.Editor, Ct)).Value!;
        byte[] picture = [.. TestImages.Jpeg(40, 30), .. new byte[20_000]]; // over the 10 KB limit
        await AssertGhostErrorAsync(await UploadAsync(client, created.AdminKey, picture, "big.jpg", "image/jpeg"), HttpStatusCode.RequestEntityTooLarge, "RequestEntityTooLargeError", "big image");
    }

    [Fact]
    public async Task Site_answers_without_a_key_in_Ghosts_shape()
    {
        using var client = site.App.CreateClient();
        using var response = await client.GetAsync("/ghost/api/admin/site/", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await ReadAsync(response))["site"]!;
        Assert.False(string.IsNullOrEmpty(body["title"]!.GetValue<string>()));
        Assert.Equal("https://news.example.test/", body["url"]!.GetValue<string>());
        Assert.NotNull(body["version"]);
        foreach (var field in new[] { "description", "logo", "icon", "accent_color", "locale" }) Assert.True(body.AsObject().ContainsKey(field), field);
    }

    [Fact]
    public async Task Tags_are_added_read_edited_and_deleted_by_the_desk()
    {
        using var client = site.App.CreateClient();
        var key = await KeyAsync(NewsroomRoles.Editor);
        var name = Unique("Harbour works");
        using var added = await SendAsync(client, HttpMethod.Post, "/ghost/api/admin/tags/", key, new JsonObject { ["tags"] = new JsonArray(new JsonObject { ["name"] = name, ["description"] = "Cranes" }) });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var tag = (await ReadAsync(added))["tags"]![0]!;
        var id = tag["id"]!.GetValue<string>();
        var bySlug = await ReadAsync(await SendAsync(client, HttpMethod.Get, $"/ghost/api/admin/tags/slug/{tag["slug"]}/", key, null));
        Assert.Equal(id, bySlug["tags"]![0]!["id"]!.GetValue<string>());
        using var edited = await SendAsync(client, HttpMethod.Put, $"/ghost/api/admin/tags/{id}/", key, new JsonObject { ["tags"] = new JsonArray(new JsonObject { ["name"] = name + " 2" }) });
        Assert.Equal(name + " 2", (await ReadAsync(edited))["tags"]![0]!["name"]!.GetValue<string>());
        Assert.Equal("Cranes", (await ReadAsync(await SendAsync(client, HttpMethod.Get, $"/ghost/api/admin/tags/{id}/", key, null)))["tags"]![0]!["description"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(client, HttpMethod.Delete, $"/ghost/api/admin/tags/{id}/", key, null)).StatusCode);
        await AssertGhostErrorAsync(await SendAsync(client, HttpMethod.Get, $"/ghost/api/admin/tags/{id}/", key, null), HttpStatusCode.NotFound, "NotFoundError", "deleted tag");
        var browse = await ReadAsync(await SendAsync(client, HttpMethod.Get, "/ghost/api/admin/tags/?limit=all&include=count.posts", key, null));
        Assert.Contains(browse["tags"]!.AsArray(), t => t!["slug"]!.GetValue<string>() == site.Samples.TagSlug && t["count"]!["posts"]!.GetValue<int>() >= 1);
    }

    // ----- helpers -----

    private static string Unique(string text) => $"{text} {Guid.NewGuid().ToString("N")[..8]}";

    private async Task<string> KeyAsync(string role, string? name = null)
    {
        var created = await site.Service<Integrations>().CreateAsync(Admin.Principal, name ?? Unique($"{role} app"), role, Ct);
        Assert.True(created.Succeeded, created.Error);
        return created.Value!.AdminKey;
    }

    private static JsonObject Posts(JsonObject post) => new() { ["posts"] = new JsonArray(post) };

    private static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    private static Task<HttpResponseMessage> GetAsync(HttpClient client, string path, string? authorization)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);
        return client.SendAsync(request, Ct);
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string key, JsonNode? body)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : Json(body) };
        request.Headers.TryAddWithoutValidation("Authorization", GhostAdminToken.Header(key));
        return client.SendAsync(request, Ct);
    }

    private static Task<HttpResponseMessage> UploadAsync(HttpClient client, string key, byte[] bytes, string fileName, string contentType, string? reference = null)
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        var form = new MultipartFormDataContent { { file, "file", fileName }, { new StringContent("image"), "purpose" } };
        if (reference is not null) form.Add(new StringContent(reference), "ref");
        var request = new HttpRequestMessage(HttpMethod.Post, "/ghost/api/admin/images/upload/") { Content = form };
        request.Headers.TryAddWithoutValidation("Authorization", GhostAdminToken.Header(key));
        return client.SendAsync(request, Ct);
    }

    private static async Task<JsonNode> AddAsync(HttpClient client, string key, JsonObject post)
    {
        using var response = await SendAsync(client, HttpMethod.Post, "/ghost/api/admin/posts/?source=html", key, Posts(post));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
        return (await ReadAsync(response))["posts"]![0]!;
    }

    private static async Task<JsonNode> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    /// <summary>Asserts Ghost's error body: {"errors":[{"message","type",…}]} with the status and type given.</summary>
    private static async Task<JsonNode> AssertGhostErrorAsync(HttpResponseMessage response, HttpStatusCode status, string type, string what)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == status, $"{what}: {(int)response.StatusCode} {text}, expected {(int)status}");
        var error = JsonNode.Parse(text)!["errors"]![0]!;
        Assert.Equal(type, error["type"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(error["message"]!.GetValue<string>()), what);
        return error;
    }

    private async Task<NewsCmsDbContext> DbAsync() =>
        await site.Service<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync(Ct);

    private async Task<int> TagIdAsync(string slug)
    {
        await using var db = await DbAsync();
        return await db.Tags.Where(t => t.Slug == slug).Select(t => t.Id).SingleAsync(Ct);
    }

    /// <summary>A story by the other writer, published by the Administrator, with its updated_at as the API writes it.</summary>
    private async Task<(int Id, string UpdatedAt)> OthersPublishedAsync(NewsroomArticles articles)
    {
        var saved = await articles.Editing.SaveAsync(Admin.Principal, null,
            new ArticleInput { Headline = Unique("Their story"), BodyHtml = "<p>Theirs.</p>", AuthorIds = [site.OtherWriter.ProfileId] }, null, SaveKind.Manual, Ct);
        Assert.True(saved.Succeeded, saved.Error);
        var published = await articles.Workflow.PublishAsync(Admin.Principal, saved.Id, saved.Version, Ct);
        Assert.True(published.Succeeded, published.Error);
        return (saved.Id, Web.Features.GhostApi.GhostShapes.Time(published.Value!.UpdatedAt));
    }

    private async Task<string> UpdatedAtAsync(int id)
    {
        await using var db = await DbAsync();
        return Web.Features.GhostApi.GhostShapes.Time(await db.Articles.Where(a => a.Id == id).Select(a => a.UpdatedAt).SingleAsync(Ct));
    }

    private async Task<int> OthersDraftAsync(NewsroomArticles articles)
    {
        var saved = await articles.Editing.SaveAsync(Admin.Principal, null,
            new ArticleInput { Headline = Unique("Their draft"), BodyHtml = "<p>Theirs.</p>", AuthorIds = [site.OtherWriter.ProfileId] }, null, SaveKind.Manual, Ct);
        Assert.True(saved.Succeeded, saved.Error);
        return saved.Id;
    }
}
