using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;

namespace NewsCms.Tests.Infrastructure;

/// <summary>
/// A fingerprint of every table of an app's database, to prove that a refused request or call changed nothing
/// (and to name the tables that did change when one was not refused).
/// </summary>
public sealed record DatabaseSnapshot(IReadOnlyDictionary<string, string> TableHashes)
{
    public static async Task<DatabaseSnapshot> TakeAsync(TestDatabaseInstance database)
    {
        await using System.Data.Common.DbConnection connection = database.FilePath is { } path
            ? new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False")
            : new Npgsql.NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            // Virtual (full-text) tables are read through their shadow tables, which are ordinary ones.
            list.CommandText = database.FilePath is not null
                ? "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name"
                : "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name";
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        }

        var hashes = new Dictionary<string, string>();
        foreach (var table in tables)
        {
            var rows = new List<string>();
            await using var select = connection.CreateCommand();
            select.CommandText = $"SELECT * FROM \"{table}\"";
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var values = new object[reader.FieldCount];
                reader.GetValues(values);
                rows.Add(string.Join('\u001f', values.Select(v => v is byte[] bytes ? Convert.ToHexString(bytes) : Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture))));
            }
            rows.Sort(StringComparer.Ordinal);
            hashes[table] = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', rows))));
        }
        return new DatabaseSnapshot(hashes);
    }

    /// <summary>The tables whose content differs from <paramref name="before"/>.</summary>
    public IReadOnlyList<string> ChangedSince(DatabaseSnapshot before) =>
        TableHashes.Keys.Union(before.TableHashes.Keys)
            .Where(table => TableHashes.GetValueOrDefault(table) != before.TableHashes.GetValueOrDefault(table))
            .Order().ToList();
}
