using System.Globalization;
using System.Linq.Expressions;

namespace NewsCms.Web.Features.GhostApi;

/// <summary>How one filterable field turns a comparison into a condition.</summary>
public delegate Expression<Func<T, bool>> NqlField<T>(NqlComparison comparison);

/// <summary>
/// Translates an NQL tree into a LINQ condition on <typeparamref name="T"/> from a table of the fields it knows. Values
/// travel as captured variables (query parameters), never as SQL text. A field, operator or value it does not know is
/// an <see cref="NqlException"/>: the caller gets a 400, never a silently different answer.
/// </summary>
public sealed class NqlTranslator<T>(IReadOnlyDictionary<string, NqlField<T>> fields)
{
    public IEnumerable<string> Fields => fields.Keys;

    public Expression<Func<T, bool>> Translate(NqlNode node) => node switch
    {
        NqlAnd and => NqlExpressions.AndAlso(Translate(and.Left), Translate(and.Right)),
        NqlOr or => NqlExpressions.OrElse(Translate(or.Left), Translate(or.Right)),
        NqlNot not => NqlExpressions.Not(Translate(not.Inner)),
        NqlComparison comparison => fields.TryGetValue(comparison.Field, out var field) ? field(comparison)
            : throw new NqlException($"Cannot filter by \"{comparison.Field}\". Filterable fields: {string.Join(", ", fields.Keys.Order(StringComparer.Ordinal))}."),
        _ => throw new NqlException("Unsupported filter."),
    };

    public Expression<Func<T, bool>> Translate(string filter) => Translate(NqlParser.Parse(filter));
}

/// <summary>The kinds of fields the Content API filters on, each with the operators and values it accepts.</summary>
public static class NqlFields
{
    /// <summary>Text: equality, lists, and (case-insensitively) contains / starts with / ends with.</summary>
    public static NqlField<T> Text<T>(Expression<Func<T, string>> selector) => c =>
    {
        if (c.Operator is NqlOperator.In or NqlOperator.NotIn)
        {
            var values = c.Values.Select(v => TextOf(c, v)).ToList();
            var isIn = NqlExpressions.Compose(selector, s => values.Contains(s));
            return c.Operator == NqlOperator.In ? isIn : NqlExpressions.Not(isIn);
        }
        if (c.Value.IsNull)
        {
            // Our text fields are never null: "is null" is false, "is not null" true.
            return c.Operator switch
            {
                NqlOperator.Equal => _ => false,
                NqlOperator.NotEqual => _ => true,
                _ => throw Unsupported(c),
            };
        }
        var value = c.Value.Text;
        var lower = value.ToLowerInvariant();
        Expression<Func<string, bool>> test = c.Operator switch
        {
            NqlOperator.Equal or NqlOperator.NotEqual => s => s == value,
            NqlOperator.Contains or NqlOperator.NotContains => s => s.ToLower().Contains(lower),
            NqlOperator.StartsWith or NqlOperator.NotStartsWith => s => s.ToLower().StartsWith(lower),
            NqlOperator.EndsWith or NqlOperator.NotEndsWith => s => s.ToLower().EndsWith(lower),
            _ => throw Unsupported(c),
        };
        var condition = NqlExpressions.Compose(selector, test);
        return c.Operator is NqlOperator.NotEqual or NqlOperator.NotContains or NqlOperator.NotStartsWith or NqlOperator.NotEndsWith
            ? NqlExpressions.Not(condition) : condition;
    };

    /// <summary>An id as the APIs write it (our int ids as strings); an id that is not one of ours matches nothing.</summary>
    public static NqlField<T> Id<T>(Expression<Func<T, int>> selector) => c =>
    {
        if (c.Operator is not (NqlOperator.Equal or NqlOperator.NotEqual or NqlOperator.In or NqlOperator.NotIn)) throw Unsupported(c);
        var ids = c.Values.Select(v => GhostShapes.ParseId(TextOf(c, v)) ?? 0).ToList();
        var isIn = ids.Count == 1 ? IdEquals(selector, ids[0]) : NqlExpressions.Compose(selector, id => ids.Contains(id));
        return c.Operator is NqlOperator.Equal or NqlOperator.In ? isIn : NqlExpressions.Not(isIn);
    };

    private static Expression<Func<T, bool>> IdEquals<T>(Expression<Func<T, int>> selector, int id) => NqlExpressions.Compose(selector, x => x == id);

    public static NqlField<T> Bool<T>(Expression<Func<T, bool>> selector) => c =>
    {
        if (c.Operator is not (NqlOperator.Equal or NqlOperator.NotEqual)) throw Unsupported(c);
        var value = c.Value.Text switch
        {
            "true" => true,
            "false" => false,
            _ => throw new NqlException($"\"{c.Field}\" takes true or false, not \"{c.Value.Text}\"."),
        };
        if (c.Operator == NqlOperator.NotEqual) value = !value;
        return NqlExpressions.Compose(selector, b => b == value);
    };

    /// <summary>A time: compared with a date or date and time in ISO 8601 (UTC unless it names an offset).</summary>
    public static NqlField<T> Date<T>(Expression<Func<T, DateTime?>> selector) => c =>
    {
        if (c.Operator is NqlOperator.In or NqlOperator.NotIn or NqlOperator.Contains or NqlOperator.NotContains or NqlOperator.StartsWith
            or NqlOperator.NotStartsWith or NqlOperator.EndsWith or NqlOperator.NotEndsWith) throw Unsupported(c);
        if (c.Value.IsNull)
        {
            return c.Operator switch
            {
                NqlOperator.Equal => NqlExpressions.Compose(selector, d => d == null),
                NqlOperator.NotEqual => NqlExpressions.Compose(selector, d => d != null),
                _ => throw Unsupported(c),
            };
        }
        var at = ParseDate(c);
        Expression<Func<DateTime?, bool>> test = c.Operator switch
        {
            NqlOperator.Equal => d => d == at,
            NqlOperator.NotEqual => d => d != at,
            NqlOperator.GreaterThan => d => d > at,
            NqlOperator.GreaterOrEqual => d => d >= at,
            NqlOperator.LessThan => d => d < at,
            NqlOperator.LessOrEqual => d => d <= at,
            _ => throw Unsupported(c),
        };
        return NqlExpressions.Compose(selector, test);
    };

    /// <summary>
    /// A field with one value for everything the Content API shows (visibility is always "public", status always
    /// "published"): true for that value, false for any other.
    /// </summary>
    public static NqlField<T> Constant<T>(string value) => c =>
    {
        if (c.Operator is not (NqlOperator.Equal or NqlOperator.NotEqual or NqlOperator.In or NqlOperator.NotIn)) throw Unsupported(c);
        var matches = c.Values.Any(v => TextOf(c, v) == value);
        var result = c.Operator is NqlOperator.Equal or NqlOperator.In ? matches : !matches;
        return result ? _ => true : _ => false;
    };

    /// <summary>
    /// A field with a fixed set of named values (a status), each standing for one or more stored values; a name it
    /// does not know is refused.
    /// </summary>
    public static NqlField<T> OneOf<T, TValue>(Expression<Func<T, TValue>> selector, IReadOnlyDictionary<string, TValue[]> names) => c =>
    {
        if (c.Operator is not (NqlOperator.Equal or NqlOperator.NotEqual or NqlOperator.In or NqlOperator.NotIn)) throw Unsupported(c);
        var values = c.Values.SelectMany(v => names.TryGetValue(TextOf(c, v), out var stored) ? stored
            : throw new NqlException($"\"{c.Field}\" takes {string.Join(", ", names.Keys)}, not \"{v.Text}\".")).Distinct().ToList();
        var isIn = NqlExpressions.Compose(selector, x => values.Contains(x));
        return c.Operator is NqlOperator.Equal or NqlOperator.In ? isIn : NqlExpressions.Not(isIn);
    };

    /// <summary>
    /// Related items by slug (an article's tags or authors): <paramref name="anyOf"/> is "has one of these slugs",
    /// <paramref name="none"/> "has none at all" (for <c>:null</c>). <c>:-x</c> is "has no x".
    /// </summary>
    public static NqlField<T> Slugs<T>(Func<List<string>, Expression<Func<T, bool>>> anyOf, Expression<Func<T, bool>> none) => c =>
    {
        if (c.Operator is not (NqlOperator.Equal or NqlOperator.NotEqual or NqlOperator.In or NqlOperator.NotIn)) throw Unsupported(c);
        if (c.Values.Count == 1 && c.Value.IsNull && c.Operator is NqlOperator.Equal or NqlOperator.NotEqual)
        {
            return c.Operator == NqlOperator.Equal ? none : NqlExpressions.Not(none);
        }
        var slugs = c.Values.Select(v => TextOf(c, v)).ToList();
        var has = anyOf(slugs);
        return c.Operator is NqlOperator.Equal or NqlOperator.In ? has : NqlExpressions.Not(has);
    };

    private static string TextOf(NqlComparison c, NqlValue value) =>
        value.IsNull ? throw new NqlException($"\"{c.Field}\" cannot compare with null in a list.") : value.Text;

    private static DateTime ParseDate(NqlComparison c)
    {
        var text = c.Value.Text;
        if (text.Length >= 10 && char.IsAsciiDigit(text[0])
            && DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
        {
            return DateTime.SpecifyKind(at, DateTimeKind.Utc);
        }
        throw new NqlException($"\"{c.Field}\" takes a date such as '2024-01-01' or '2024-01-01T09:30:00Z', not \"{text}\".");
    }

    private static NqlException Unsupported(NqlComparison c) =>
        new($"The operator {Describe(c.Operator)} is not supported for \"{c.Field}\".");

    private static string Describe(NqlOperator op) => op switch
    {
        NqlOperator.Equal => "\":\"",
        NqlOperator.NotEqual => "\":-\"",
        NqlOperator.GreaterThan => "\":>\"",
        NqlOperator.GreaterOrEqual => "\":>=\"",
        NqlOperator.LessThan => "\":<\"",
        NqlOperator.LessOrEqual => "\":<=\"",
        NqlOperator.In => "\":[...]\"",
        NqlOperator.NotIn => "\":-[...]\"",
        NqlOperator.Contains => "\":~\"",
        NqlOperator.NotContains => "\":-~\"",
        NqlOperator.StartsWith => "\":~^\"",
        NqlOperator.NotStartsWith => "\":-~^\"",
        NqlOperator.EndsWith => "\":~$\"",
        _ => "\":-~$\"",
    };
}

/// <summary>Combining conditions written as separate lambdas into one (one parameter throughout, as EF Core needs).</summary>
public static class NqlExpressions
{
    public static Expression<Func<T, bool>> AndAlso<T>(Expression<Func<T, bool>> left, Expression<Func<T, bool>> right) =>
        Expression.Lambda<Func<T, bool>>(Expression.AndAlso(left.Body, Rebind(right, left.Parameters[0])), left.Parameters);

    public static Expression<Func<T, bool>> OrElse<T>(Expression<Func<T, bool>> left, Expression<Func<T, bool>> right) =>
        Expression.Lambda<Func<T, bool>>(Expression.OrElse(left.Body, Rebind(right, left.Parameters[0])), left.Parameters);

    public static Expression<Func<T, bool>> Not<T>(Expression<Func<T, bool>> condition) =>
        Expression.Lambda<Func<T, bool>>(Expression.Not(condition.Body), condition.Parameters);

    /// <summary><c>x =&gt; test(selector(x))</c>.</summary>
    public static Expression<Func<T, bool>> Compose<T, TValue>(Expression<Func<T, TValue>> selector, Expression<Func<TValue, bool>> test) =>
        Expression.Lambda<Func<T, bool>>(new Replace(test.Parameters[0], selector.Body).Visit(test.Body), selector.Parameters);

    private static Expression Rebind<T>(Expression<Func<T, bool>> lambda, ParameterExpression parameter) =>
        new Replace(lambda.Parameters[0], parameter).Visit(lambda.Body);

    private sealed class Replace(ParameterExpression from, Expression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}
