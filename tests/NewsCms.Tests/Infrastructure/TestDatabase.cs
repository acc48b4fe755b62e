using Microsoft.Data.Sqlite;

namespace NewsCms.Tests.Infrastructure;

/// <summary>
/// One migrated SQLite file per test run; every test gets its own copy, so migrations run once and no test sees
/// another's data.
/// </summary>
public static class TestDatabase
{
    private static readonly string Root = Path.Combine(Path.GetTempPath(), "newscms-tests", Environment.ProcessId.ToString());
    private static readonly Lazy<Task<string>> Template = new(CreateTemplateAsync);

    /// <summary>A fresh, migrated database file of its own.</summary>
    public static async Task<string> NewFileAsync()
    {
        var template = await Template.Value;
        var path = NewEmptyPath();
        File.Copy(template, path);
        return path;
    }

    /// <summary>A path in a new folder where no database exists yet.</summary>
    public static string NewEmptyPath()
    {
        var folder = Path.Combine(Root, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, "newscms.db");
    }

    private static async Task<string> CreateTemplateAsync()
    {
        // Migrated by the app's own start-up, so the template is exactly what a first run produces.
        var path = NewEmptyPath();
        await using (var app = NewsCmsAppFactory.OnEmptyPath(path))
        {
            app.CreateClient().Dispose();
        }
        SqliteConnection.ClearAllPools();
        return path;
    }
}
