using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NewsCms.Tests.Infrastructure;
using NewsCms.Web.Data;
using NewsCms.Web.Features.Audit;

namespace NewsCms.Tests.Integration;

public class AuditExportAndRetentionTests
{
    [Fact]
    public async Task The_export_streams_every_entry_once_newest_first()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync();
        var start = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<NewsCmsDbContext>();
            // More than one page of the export, with entries sharing a time so the paging must also order by id.
            db.AuditEntries.AddRange(Enumerable.Range(0, 1234).Select(i => new AuditEntry
            {
                At = start.AddMinutes(i / 3), ActorName = "Loader", Action = "test.export", Target = $"row {i:D4}",
            }));
            await db.SaveChangesAsync();
        }
        using var admin = app.CreateBrowserlikeClient();
        await FormPost.SignInAsync(admin, NewsCmsAppFactory.AdminEmail, NewsCmsAppFactory.AdminPassword);

        using var export = await admin.GetAsync("/api/audit/export?action=test.export", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal("text/csv", export.Content.Headers.ContentType!.MediaType);
        // Written as it is read, page by page: the length is not known before the body is sent.
        Assert.Null(export.Content.Headers.ContentLength);

        var lines = (await export.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("At (UTC),Actor,Action", lines[0]);
        var targets = lines.Skip(1).Select(line => line.Split(',')[3].Trim('"')).ToList();
        Assert.Equal(1234, targets.Count);
        Assert.Equal(Enumerable.Range(0, 1234).Reverse().Select(i => $"row {i:D4}"), targets);
    }

    [Fact]
    public async Task Entries_older_than_the_retention_setting_are_deleted_by_the_background_job()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero));
        await using var app = await NewsCmsAppFactory.CreateAsync(new() { ["NewsCms:Audit:RetentionDays"] = "30" });
        app.TestServices = services => services.AddSingleton<TimeProvider>(clock);
        await using var scope = app.Services.CreateAsyncScope();

        // Neither is past 30 days yet; within the job's next interval the first one will be.
        var now = clock.GetUtcNow().UtcDateTime;
        await using (var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync())
        {
            db.AuditEntries.Add(new AuditEntry { At = now.AddDays(-30) + AuditRetention.Interval / 2, ActorName = "Tester", Action = "test.retention", Target = "old entry" });
            db.AuditEntries.Add(new AuditEntry { At = now.AddDays(-29), ActorName = "Tester", Action = "test.retention", Target = "recent entry" });
            await db.SaveChangesAsync();
        }
        clock.Advance(AuditRetention.Interval);

        // The job runs on its timer (on the fake clock): wait until it has removed the old entry.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        List<string> left;
        do
        {
            await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<NewsCmsDbContext>>().CreateDbContextAsync();
            left = await db.AuditEntries.Where(e => e.Action == "test.retention").Select(e => e.Target).ToListAsync();
            if (!left.Contains("old entry")) break;
            await Task.Delay(50);
        } while (DateTime.UtcNow < deadline);
        Assert.Equal(["recent entry"], left);
    }

    [Fact]
    public async Task A_retention_of_no_days_stops_start_up_naming_the_setting()
    {
        await using var app = await NewsCmsAppFactory.CreateAsync(new() { ["NewsCms:Audit:RetentionDays"] = "0" });
        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        Assert.Contains("NewsCms:Audit:RetentionDays", error.ToString());
    }
}
