using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Features.Integrations;
using NewsCms.Web.Features.Users;

namespace NewsCms.Tests.Integration;

/// <summary>
/// The Admin API's /webhooks/: an integration adds, edits and deletes its own webhooks (never another's), targets are
/// checked, and a webhook added this way receives a signed post.published when a post is published through the API.
/// </summary>
public sealed partial class GhostAdminWebhookTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(NewsCmsAppFactory App, HttpClient Client, string Key, int IntegrationId)> StartAsync(bool allowPrivate = true)
    {
        var app = await NewsCmsAppFactory.CreateAsync(new() { ["NewsCms:Webhooks:AllowPrivateTargets"] = allowPrivate ? "true" : "false" });
        var client = app.CreateClient();
        var (key, id) = await KeyAsync(app, NewsroomRoles.Editor);
        return (app, client, key, id);
    }

    private static async Task<(string Key, int Id)> KeyAsync(NewsCmsAppFactory app, string role)
    {
        var admin = await app.PrincipalForAsync(NewsCmsAppFactory.AdminEmail);
        await using var scope = app.Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<Integrations>().CreateAsync(admin, $"{role} app {Guid.NewGuid():N}", role, Ct);
        Assert.True(created.Succeeded, created.Error);
        return (created.Value!.AdminKey, created.Value.Id);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string key, JsonNode? body = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Authorization", GhostAdminToken.Header(key));
        return await client.SendAsync(request, Ct);
    }

    private static JsonObject Webhooks(JsonObject webhook) => new() { ["webhooks"] = new JsonArray(webhook) };

    private static async Task<JsonNode> BodyAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {text}, expected {(int)expected}");
        return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!;
    }

    [Fact]
    public async Task An_integration_adds_edits_and_deletes_its_own_webhooks_and_not_anothers()
    {
        var (app, client, key, integrationId) = await StartAsync();
        await using var _ = app;
        using var __ = client;

        var added = (await BodyAsync(await SendAsync(client, HttpMethod.Post, "/ghost/api/admin/webhooks/", key, Webhooks(new JsonObject
        {
            ["event"] = "post.published", ["target_url"] = "http://127.0.0.1:9/hooks/published", ["name"] = "Newsletter", ["secret"] = "s3cret",
        })), HttpStatusCode.Created))["webhooks"]![0]!;
        var id = added["id"]!.GetValue<string>();
        Assert.Equal("post.published", added["event"]!.GetValue<string>());
        Assert.Equal("http://127.0.0.1:9/hooks/published", added["target_url"]!.GetValue<string>());
        Assert.Equal("Newsletter", added["name"]!.GetValue<string>());
        Assert.Equal("s3cret", added["secret"]!.GetValue<string>());
        Assert.Equal(integrationId.ToString(), added["integration_id"]!.GetValue<string>());
        Assert.Equal("available", added["status"]!.GetValue<string>());

        var edited = (await BodyAsync(await SendAsync(client, HttpMethod.Put, $"/ghost/api/admin/webhooks/{id}/", key, Webhooks(new JsonObject { ["name"] = "Morning newsletter" })),
            HttpStatusCode.OK))["webhooks"]![0]!;
        Assert.Equal("Morning newsletter", edited["name"]!.GetValue<string>());
        Assert.Equal("post.published", edited["event"]!.GetValue<string>());

        // Another integration, even an Administrator's, may not touch it.
        var (otherKey, _) = await KeyAsync(app, NewsroomRoles.Administrator);
        var refused = await BodyAsync(await SendAsync(client, HttpMethod.Put, $"/ghost/api/admin/webhooks/{id}/", otherKey, Webhooks(new JsonObject { ["name"] = "Mine now" })),
            HttpStatusCode.Forbidden);
        Assert.Equal("NoPermissionError", refused["errors"]![0]!["type"]!.GetValue<string>());
        await BodyAsync(await SendAsync(client, HttpMethod.Delete, $"/ghost/api/admin/webhooks/{id}/", otherKey), HttpStatusCode.Forbidden);

        await BodyAsync(await SendAsync(client, HttpMethod.Delete, $"/ghost/api/admin/webhooks/{id}/", key), HttpStatusCode.NoContent);
        var gone = await BodyAsync(await SendAsync(client, HttpMethod.Delete, $"/ghost/api/admin/webhooks/{id}/", key), HttpStatusCode.NotFound);
        Assert.Equal("NotFoundError", gone["errors"]![0]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Private_targets_unknown_events_and_missing_fields_are_refused_with_validation_errors()
    {
        var (app, client, key, _) = await StartAsync(allowPrivate: false);
        await using var _ = app;
        using var __ = client;
        foreach (var (webhook, what) in new[]
        {
            (new JsonObject { ["event"] = "post.published", ["target_url"] = "http://127.0.0.1/hook" }, "loopback"),
            (new JsonObject { ["event"] = "post.published", ["target_url"] = "http://10.0.0.8/hook" }, "private"),
            (new JsonObject { ["event"] = "post.published", ["target_url"] = "http://169.254.169.254/latest/meta-data" }, "link-local"),
            (new JsonObject { ["event"] = "post.published", ["target_url"] = "ftp://hooks.example.com/" }, "not http"),
            (new JsonObject { ["event"] = "post.exploded", ["target_url"] = "https://hooks.example.com/" }, "unknown event"),
            (new JsonObject { ["target_url"] = "https://hooks.example.com/" }, "no event"),
            (new JsonObject { ["event"] = "post.published" }, "no target"),
        })
        {
            var error = await BodyAsync(await SendAsync(client, HttpMethod.Post, "/ghost/api/admin/webhooks/", key, Webhooks(webhook)), HttpStatusCode.UnprocessableEntity);
            Assert.True(error["errors"]![0]!["type"]!.GetValue<string>() == "ValidationError", what);
        }
    }

    [Fact]
    public async Task A_webhook_added_through_the_api_receives_a_signed_post_published()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (app, client, key, _) = await StartAsync();
        await using var _ = app;
        using var __ = client;
        await BodyAsync(await SendAsync(client, HttpMethod.Post, "/ghost/api/admin/webhooks/", key, Webhooks(new JsonObject
        {
            ["event"] = "post.published", ["target_url"] = receiver.Url, ["secret"] = "harbour-secret",
        })), HttpStatusCode.Created);

        var post = (await BodyAsync(await SendAsync(client, HttpMethod.Post, "/ghost/api/admin/posts/?source=html", key, new JsonObject
        {
            ["posts"] = new JsonArray(new JsonObject { ["title"] = "Ferries resume", ["html"] = "<p>From Monday.</p>", ["status"] = "published" }),
        }), HttpStatusCode.Created))["posts"]![0]!;

        var received = await receiver.NextAsync(TimeSpan.FromSeconds(20));
        var signature = Signature().Match(received.Headers["X-Ghost-Signature"]);
        Assert.True(signature.Success, received.Headers["X-Ghost-Signature"]);
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("harbour-secret"), Encoding.UTF8.GetBytes(received.Body + signature.Groups[2].Value)));
        Assert.Equal(expected, signature.Groups[1].Value);
        var current = JsonNode.Parse(received.Body)!["post"]!["current"]!;
        Assert.Equal(post["id"]!.GetValue<string>(), current["id"]!.GetValue<string>());
        Assert.Equal("Ferries resume", current["title"]!.GetValue<string>());
        Assert.Equal("published", current["status"]!.GetValue<string>());
    }

    [GeneratedRegex("^sha256=([0-9a-f]{64}), t=([0-9]+)$")]
    private static partial Regex Signature();
}
