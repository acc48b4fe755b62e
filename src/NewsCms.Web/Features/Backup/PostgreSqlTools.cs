using System.ComponentModel;
using System.Diagnostics;
using Microsoft.Extensions.Options;
using Npgsql;
using NewsCms.Web.Data;

namespace NewsCms.Web.Features.Backup;

/// <summary><c>NewsCms:Backup</c>.</summary>
public sealed class BackupOptions
{
    public const string Section = "NewsCms:Backup";
    public const string ToolsFolderSetting = Section + ":" + nameof(PostgreSqlToolsFolder);

    /// <summary>The folder holding pg_dump and pg_restore; empty: they are looked up on PATH.</summary>
    public string? PostgreSqlToolsFolder { get; set; }
}

/// <summary>What a tool wrote to standard error, and how it ended.</summary>
public sealed record ToolRun(int ExitCode, string Error);

/// <summary>
/// PostgreSQL's own <c>pg_dump</c> and <c>pg_restore</c> (Debian package postgresql-client), run as child processes on
/// the site's database. The connection goes on their command line as host, port, user and database; the password only
/// into the child's environment (PGPASSWORD), because a command line is visible to every user of the machine.
/// </summary>
public sealed class PostgreSqlTools(IOptions<BackupOptions> options, DatabaseLocation database)
{
    public const string PgDump = "pg_dump";
    public const string PgRestore = "pg_restore";
    public const string Package = "postgresql-client";

    // The end of what a tool wrote to standard error is the part that says why it failed.
    private const int ErrorLength = 2000;

    private string? Folder => string.IsNullOrWhiteSpace(options.Value.PostgreSqlToolsFolder) ? null : options.Value.PostgreSqlToolsFolder;

    /// <summary>The tool's full path, or null when it is not there.</summary>
    public string? Find(string tool)
    {
        var name = OperatingSystem.IsWindows() ? tool + ".exe" : tool;
        var folders = Folder is { } folder
            ? [folder]
            : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return folders.Select(f => Path.Combine(f, name)).FirstOrDefault(File.Exists);
    }

    /// <summary>What to do about a tool that <see cref="Find"/> did not find.</summary>
    public string Missing(string tool) =>
        $"{tool} was not found {(Folder is { } folder ? $"in '{folder}' (setting {BackupOptions.ToolsFolderSetting})" : "on PATH")}. " +
        $"NewsCms backs up and restores a PostgreSQL site with PostgreSQL's own {PgDump} and {PgRestore}: install them with the " +
        $"Debian package {Package} (sudo apt-get install {Package}; the same major version as the server or newer), " +
        $"or set {BackupOptions.ToolsFolderSetting} to the folder that holds them.";

    /// <summary>Why backups cannot work on this site, or null (always null on SQLite, which needs no tools).</summary>
    public string? Problem()
    {
        if (database.Provider != DatabaseProvider.PostgreSQL) return null;
        var missing = new[] { PgDump, PgRestore }.FirstOrDefault(tool => Find(tool) is null);
        return missing is null ? null : Missing(missing);
    }

    /// <summary>
    /// Runs <paramref name="tool"/> (which must have been found) with <paramref name="arguments"/>, and with the site's
    /// database when <paramref name="connect"/>. <paramref name="readOutput"/> reads its standard output as it comes.
    /// Cancelling kills it.
    /// </summary>
    public async Task<ToolRun> RunAsync(string tool, IEnumerable<string> arguments, bool connect,
        Func<Stream, CancellationToken, Task> readOutput, CancellationToken ct)
    {
        var path = Find(tool) ?? throw new InvalidOperationException(Missing(tool));
        var start = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        // Never a password prompt: there is nobody to answer it.
        start.ArgumentList.Add("--no-password");
        if (connect) AddConnection(start);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception ex)
        {
            return new ToolRun(-1, $"{path} cannot be run: {ex.Message}");
        }
        using (process)
        {
            process.StandardInput.Close();
            try
            {
                var error = process.StandardError.ReadToEndAsync(ct);
                await readOutput(process.StandardOutput.BaseStream, ct);
                await process.WaitForExitAsync(ct);
                var text = (await error).Trim();
                return new ToolRun(process.ExitCode, text.Length > ErrorLength ? "…" + text[^ErrorLength..] : text);
            }
            catch
            {
                // Cancelled (a download given up) or the output could not be written: the tool stops too.
                if (!process.HasExited) process.Kill(entireProcessTree: true);
                throw;
            }
        }
    }

    private void AddConnection(ProcessStartInfo start)
    {
        var connection = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        if (!string.IsNullOrEmpty(connection.Host)) start.ArgumentList.Add($"--host={connection.Host}");
        start.ArgumentList.Add($"--port={connection.Port}");
        if (!string.IsNullOrEmpty(connection.Username)) start.ArgumentList.Add($"--username={connection.Username}");
        if (!string.IsNullOrEmpty(connection.Database)) start.ArgumentList.Add($"--dbname={connection.Database}");
        if (!string.IsNullOrEmpty(connection.Password)) start.Environment["PGPASSWORD"] = connection.Password;
        if (!string.IsNullOrEmpty(connection.Passfile)) start.Environment["PGPASSFILE"] = connection.Passfile;
        start.Environment["PGSSLMODE"] = connection.SslMode switch
        {
            SslMode.Disable => "disable",
            SslMode.Allow => "allow",
            SslMode.Require => "require",
            SslMode.VerifyCA => "verify-ca",
            SslMode.VerifyFull => "verify-full",
            _ => "prefer",
        };
    }
}
