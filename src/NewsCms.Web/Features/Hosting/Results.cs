using Microsoft.EntityFrameworkCore;

namespace NewsCms.Web.Features.Hosting;

/// <summary>The outcome of a service call that may be refused for an expected reason (shown to the user as is).</summary>
public record ServiceResult(string? Error)
{
    public bool Succeeded => Error is null;
    public static readonly ServiceResult Ok = new((string?)null);
    public static ServiceResult Fail(string error) => new(error);
}

public sealed record ServiceResult<T>(T? Value, string? Error) : ServiceResult(Error)
{
    public static ServiceResult<T> Success(T value) => new(value, null);
    public static new ServiceResult<T> Fail(string error) => new(default, error);
}

public sealed record PagedList<T>(IReadOnlyList<T> Items, int Total);

/// <summary>SQL LIKE patterns built from user text, with the wildcards in that text escaped.</summary>
public static class Like
{
    public const string Escape = "\\";

    public static string Contains(string text) =>
        "%" + text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
}
