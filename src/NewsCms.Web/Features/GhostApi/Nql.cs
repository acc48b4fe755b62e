using System.Text;

namespace NewsCms.Web.Features.GhostApi;

// The subset of Ghost's filter language (NQL) the Content API understands, as a syntax tree. Text is only ever parsed
// into these nodes and the nodes translated to LINQ (NqlTranslator); nothing of the filter reaches SQL as text.

public abstract record NqlNode;

/// <summary><c>a+b</c>.</summary>
public sealed record NqlAnd(NqlNode Left, NqlNode Right) : NqlNode;

/// <summary><c>a,b</c>.</summary>
public sealed record NqlOr(NqlNode Left, NqlNode Right) : NqlNode;

/// <summary><c>-a</c> and <c>-(a,b)</c>.</summary>
public sealed record NqlNot(NqlNode Inner) : NqlNode;

/// <summary><c>field:value</c>, <c>field:&gt;value</c>, <c>field:[a,b]</c>...; <see cref="Values"/> has one value except for In and NotIn.</summary>
public sealed record NqlComparison(string Field, NqlOperator Operator, IReadOnlyList<NqlValue> Values) : NqlNode
{
    public NqlValue Value => Values[0];
}

public enum NqlOperator
{
    Equal, NotEqual, GreaterThan, GreaterOrEqual, LessThan, LessOrEqual, In, NotIn,
    Contains, NotContains, StartsWith, NotStartsWith, EndsWith, NotEndsWith,
}

/// <summary>A value: quoted (<c>'2024-01-01'</c>, always text) or a bare literal (<c>news</c>, <c>true</c>, <c>null</c>, <c>3</c>).</summary>
public sealed record NqlValue(string Text, bool Quoted)
{
    public bool IsNull => !Quoted && Text == "null";
}

/// <summary>A filter that cannot be answered (unreadable, or asking for something unsupported), with why: a 400 for the caller.</summary>
public class NqlException(string message) : Exception(message);

/// <summary>A filter that cannot be read, with where and why.</summary>
public sealed class NqlSyntaxException(string message) : NqlException(message);

/// <summary>
/// Reads NQL text into a tree with NQL's precedence: <c>-</c> (not) binds tightest, then <c>+</c> (and), then
/// <c>,</c> (or); parentheses group. Grammar:
/// <code>
/// or         := and (',' and)*
/// and        := unary ('+' unary)*
/// unary      := '-' unary | '(' or ')' | comparison
/// comparison := field ':' ['-'] [ '&gt;' | '&gt;=' | '&lt;' | '&lt;=' | '~' | '~^' | '~$' ] (value | '[' value (',' value)* ']')
/// value      := 'quoted text' (\' and \\ escape) | literal
/// </code>
/// </summary>
public static class NqlParser
{
    /// <summary>Longer filters are refused: nobody needs them, and depth and size stay bounded.</summary>
    public const int MaxLength = 2000;

    private const int MaxDepth = 32;

    public static NqlNode Parse(string filter)
    {
        if (filter.Length > MaxLength) throw new NqlSyntaxException($"The filter is longer than {MaxLength} characters.");
        var parser = new Reader(Tokenize(filter));
        var node = parser.Or(0);
        if (parser.Peek.Kind != TokenKind.End) throw parser.Unexpected("the end of the filter");
        return node;
    }

    private enum TokenKind { LParen, RParen, LBracket, RBracket, Comma, Plus, Minus, Operator, Quoted, Literal, End }

    private readonly record struct Token(TokenKind Kind, string Text, int Position)
    {
        public string Describe() => Kind switch
        {
            TokenKind.End => "the end of the filter",
            TokenKind.Quoted => $"'{Text}' at {Position + 1}",
            _ => $"\"{Text}\" at {Position + 1}",
        };
    }

    /// <summary>Characters that end a bare literal (besides white space).</summary>
    private static bool EndsLiteral(char c) => char.IsWhiteSpace(c) || c is '(' or ')' or '[' or ']' or ',' or '+' or ':' or '\'' or '"';

    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }
            var start = i;
            switch (c)
            {
                case '(': tokens.Add(new(TokenKind.LParen, "(", i++)); continue;
                case ')': tokens.Add(new(TokenKind.RParen, ")", i++)); continue;
                case '[': tokens.Add(new(TokenKind.LBracket, "[", i++)); continue;
                case ']': tokens.Add(new(TokenKind.RBracket, "]", i++)); continue;
                case ',': tokens.Add(new(TokenKind.Comma, ",", i++)); continue;
                case '+': tokens.Add(new(TokenKind.Plus, "+", i++)); continue;
                case '-': tokens.Add(new(TokenKind.Minus, "-", i++)); continue;
                case ':':
                {
                    // ':' then an optional '-' (negation) then an optional comparison.
                    i++;
                    if (i < text.Length && text[i] == '-') i++;
                    foreach (var op in (string[])[">=", "<=", "~^", "~$", ">", "<", "~"])
                    {
                        if (string.CompareOrdinal(text, i, op, 0, op.Length) == 0)
                        {
                            i += op.Length;
                            break;
                        }
                    }
                    tokens.Add(new(TokenKind.Operator, text[start..i], start));
                    continue;
                }
                case '\'':
                case '"':
                {
                    var quote = c;
                    var value = new StringBuilder();
                    i++;
                    while (true)
                    {
                        if (i >= text.Length) throw new NqlSyntaxException($"The quoted value starting at {start + 1} is not closed.");
                        var q = text[i];
                        if (q == '\\' && i + 1 < text.Length && text[i + 1] is '\'' or '"' or '\\')
                        {
                            value.Append(text[i + 1]);
                            i += 2;
                        }
                        else if (q == quote)
                        {
                            i++;
                            break;
                        }
                        else
                        {
                            value.Append(q);
                            i++;
                        }
                    }
                    tokens.Add(new(TokenKind.Quoted, value.ToString(), start));
                    continue;
                }
                default:
                {
                    // A bare literal: a field name, a slug, a number, a date, true/false/null. A '-' inside it is part
                    // of it (slugs and dates have them); only a leading '-' is negation.
                    while (i < text.Length && !EndsLiteral(text[i])) i++;
                    tokens.Add(new(TokenKind.Literal, text[start..i], start));
                    continue;
                }
            }
        }
        tokens.Add(new(TokenKind.End, "", text.Length));
        return tokens;
    }

    private sealed class Reader(List<Token> tokens)
    {
        private int next;

        public Token Peek => tokens[next];

        private Token Take() => tokens[next++];

        public NqlSyntaxException Unexpected(string expected) => new($"Expected {expected} but found {Peek.Describe()}.");

        public NqlNode Or(int depth)
        {
            var left = And(depth);
            while (Peek.Kind == TokenKind.Comma)
            {
                Take();
                left = new NqlOr(left, And(depth));
            }
            return left;
        }

        private NqlNode And(int depth)
        {
            var left = Unary(depth);
            while (Peek.Kind == TokenKind.Plus)
            {
                Take();
                left = new NqlAnd(left, Unary(depth));
            }
            return left;
        }

        private NqlNode Unary(int depth)
        {
            if (depth > MaxDepth) throw new NqlSyntaxException($"The filter nests deeper than {MaxDepth} levels.");
            if (Peek.Kind == TokenKind.Minus)
            {
                Take();
                return new NqlNot(Unary(depth + 1));
            }
            if (Peek.Kind == TokenKind.LParen)
            {
                Take();
                var inner = Or(depth + 1);
                if (Peek.Kind != TokenKind.RParen) throw Unexpected("\")\"");
                Take();
                return inner;
            }
            return Comparison();
        }

        private NqlNode Comparison()
        {
            if (Peek.Kind != TokenKind.Literal) throw Unexpected("a field name");
            var field = Take();
            if (!IsFieldName(field.Text)) throw new NqlSyntaxException($"\"{field.Text}\" at {field.Position + 1} is not a field name.");
            if (Peek.Kind != TokenKind.Operator) throw Unexpected($"\":\" after {field.Text}");
            var opToken = Take();
            var negated = opToken.Text.Length > 1 && opToken.Text[1] == '-';
            var comparison = opToken.Text[(negated ? 2 : 1)..];
            if (Peek.Kind == TokenKind.LBracket)
            {
                if (comparison.Length > 0) throw new NqlSyntaxException($"\"{opToken.Text}\" at {opToken.Position + 1} cannot take a list.");
                Take();
                var values = new List<NqlValue> { Value() };
                while (Peek.Kind == TokenKind.Comma)
                {
                    Take();
                    values.Add(Value());
                }
                if (Peek.Kind != TokenKind.RBracket) throw Unexpected("\",\" or \"]\"");
                Take();
                return new NqlComparison(field.Text, negated ? NqlOperator.NotIn : NqlOperator.In, values);
            }
            var op = (comparison, negated) switch
            {
                ("", false) => NqlOperator.Equal,
                ("", true) => NqlOperator.NotEqual,
                (">", false) => NqlOperator.GreaterThan,
                (">=", false) => NqlOperator.GreaterOrEqual,
                ("<", false) => NqlOperator.LessThan,
                ("<=", false) => NqlOperator.LessOrEqual,
                ("~", false) => NqlOperator.Contains,
                ("~", true) => NqlOperator.NotContains,
                ("~^", false) => NqlOperator.StartsWith,
                ("~^", true) => NqlOperator.NotStartsWith,
                ("~$", false) => NqlOperator.EndsWith,
                ("~$", true) => NqlOperator.NotEndsWith,
                _ => throw new NqlSyntaxException($"\"{opToken.Text}\" at {opToken.Position + 1} is not an operator."),
            };
            return new NqlComparison(field.Text, op, [Value()]);
        }

        private NqlValue Value() => Peek.Kind switch
        {
            TokenKind.Quoted => new NqlValue(Take().Text, Quoted: true),
            TokenKind.Literal => new NqlValue(Take().Text, Quoted: false),
            _ => throw Unexpected("a value"),
        };

        private static bool IsFieldName(string text) =>
            text.Length is > 0 and <= 64 && char.IsAsciiLetter(text[0]) && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.');
    }
}
