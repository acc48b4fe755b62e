using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;

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

/// <summary>
/// Newsroom "contains" searches (lists of articles, tags, users, media…): user text matched case-insensitively
/// anywhere in any of the given columns, its wildcards escaped. SQLite's LIKE already ignores case; PostgreSQL's
/// does not, so there it is ILIKE.
/// </summary>
public static class Like
{
    public const string Escape = "\\";

    public static string Contains(string text) =>
        "%" + text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";

    /// <summary>Rows where any of <paramref name="columns"/> contains <paramref name="text"/> (trimmed).</summary>
    public static IQueryable<T> WhereAnyContains<T>(this IQueryable<T> rows, Microsoft.EntityFrameworkCore.Infrastructure.DatabaseFacade database,
        string text, params Expression<Func<T, string?>>[] columns)
    {
        var pattern = Contains(text.Trim());
        Expression<Func<string?, bool>> match = database.IsNpgsql()
            ? value => EF.Functions.ILike(value!, pattern, Escape)
            : value => EF.Functions.Like(value, pattern, Escape);
        var row = Expression.Parameter(typeof(T), "row");
        var any = columns
            .Select(column => ReplacingExpressionVisitor.Replace(match.Parameters[0],
                ReplacingExpressionVisitor.Replace(column.Parameters[0], row, column.Body), match.Body))
            .Aggregate(Expression.OrElse);
        return rows.Where(Expression.Lambda<Func<T, bool>>(any, row));
    }
}
