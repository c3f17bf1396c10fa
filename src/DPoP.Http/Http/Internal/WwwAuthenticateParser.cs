using System.Text;

namespace DPoP.Http.Internal;

/// <summary>
/// Parses <c>WWW-Authenticate</c> values per RFC 9110 §11.6.1: several challenges per value, separated by commas,
/// each a case-insensitive scheme followed by a token68 or by <c>name=token</c> / <c>name="quoted string"</c>
/// parameters. Garbage ends the parse quietly: what was read up to it is returned, nothing throws.
/// </summary>
internal static class WwwAuthenticateParser
{
    /// <summary>Tells whether any value holds a <c>DPoP</c> challenge with <c>error="use_dpop_nonce"</c> (RFC 9449 §9).</summary>
    public static bool HasDPoPNonceChallenge(IEnumerable<string> headerValues) => HasDPoPError(headerValues, "use_dpop_nonce");

    /// <summary>A <c>401</c> whose <c>WWW-Authenticate: DPoP</c> challenge says <c>invalid_token</c> (RFC 9449 §7.1).</summary>
    public static bool IsInvalidTokenChallenge(HttpResponseMessage response) =>
        response.StatusCode == System.Net.HttpStatusCode.Unauthorized &&
        response.Headers.NonValidated.TryGetValues("WWW-Authenticate", out var values) &&
        HasDPoPError(values, "invalid_token");

    /// <summary>Tells whether any value holds a <c>DPoP</c> challenge whose <c>error</c> is <paramref name="error"/> (RFC 9449 §7.1).</summary>
    public static bool HasDPoPError(IEnumerable<string> headerValues, string error)
    {
        foreach (var value in headerValues)
        {
            foreach (var challenge in Parse(value))
            {
                if (string.Equals(challenge.Scheme, DPoPHeaders.AuthorizationScheme, StringComparison.OrdinalIgnoreCase) &&
                    challenge.Parameters.TryGetValue("error", out var found) &&
                    string.Equals(found, error, StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }

        return false;
    }

    public static List<AuthenticationChallenge> Parse(string? value)
    {
        var challenges = new List<AuthenticationChallenge>();
        var s = value.AsSpan();
        var i = 0;
        AuthenticationChallenge? current = null;
        while (true)
        {
            SkipSeparators(s, ref i);
            if (i >= s.Length)
            {
                return challenges;
            }

            var token = ReadToken(s, ref i);
            if (token.IsEmpty)
            {
                return challenges; // no token where one must be
            }

            var next = i;
            SkipWhitespace(s, ref next);
            if (current is not null && next < s.Length && s[next] == '=' && !IsToken68Tail(s, next))
            {
                // name = value: one more parameter of the current challenge.
                i = next + 1;
                SkipWhitespace(s, ref i);
                if (!TryReadValue(s, ref i, out var parameterValue))
                {
                    return challenges;
                }

                current.Parameters.TryAdd(token.ToString(), parameterValue);
                continue;
            }

            if (i < s.Length && s[i] is not (' ' or '\t' or ','))
            {
                return challenges; // a scheme glued to something that is not a separator
            }

            current = new AuthenticationChallenge(token.ToString());
            challenges.Add(current);
            SkipWhitespace(s, ref i);

            // A token68 stands alone; anything else is the first parameter, which the loop reads next.
            var end = i;
            var token68 = ReadToken68(s, ref end);
            SkipWhitespace(s, ref end);
            if (IsToken68(token68) && (end >= s.Length || s[end] == ','))
            {
                current.Token68 = token68.ToString();
                i = end;
            }
        }
    }

    /// <summary>At <paramref name="equals"/>: is this '=' the padding of a token68 (only '=' and then end or comma)?</summary>
    private static bool IsToken68Tail(ReadOnlySpan<char> s, int equals)
    {
        var i = equals;
        while (i < s.Length && s[i] == '=')
        {
            i++;
        }

        SkipWhitespace(s, ref i);
        return i >= s.Length || s[i] == ',';
    }

    private static bool TryReadValue(ReadOnlySpan<char> s, ref int i, out string value)
    {
        if (i < s.Length && s[i] == '"')
        {
            return TryReadQuotedString(s, ref i, out value);
        }

        var token = ReadToken(s, ref i);
        value = token.ToString();
        return !token.IsEmpty;
    }

    private static bool TryReadQuotedString(ReadOnlySpan<char> s, ref int i, out string value)
    {
        var builder = new StringBuilder();
        i++; // opening quote
        while (i < s.Length)
        {
            var c = s[i++];
            if (c == '"')
            {
                value = builder.ToString();
                return true;
            }

            if (c == '\\')
            {
                if (i >= s.Length)
                {
                    break;
                }

                c = s[i++];
            }

            builder.Append(c);
        }

        value = string.Empty;
        return false; // unterminated
    }

    private static ReadOnlySpan<char> ReadToken(ReadOnlySpan<char> s, ref int i)
    {
        var start = i;
        while (i < s.Length && IsTChar(s[i]))
        {
            i++;
        }

        return s[start..i];
    }

    private static ReadOnlySpan<char> ReadToken68(ReadOnlySpan<char> s, ref int i)
    {
        var start = i;
        while (i < s.Length && (char.IsAsciiLetterOrDigit(s[i]) || s[i] is '-' or '.' or '_' or '~' or '+' or '/'))
        {
            i++;
        }

        while (i < s.Length && s[i] == '=')
        {
            i++;
        }

        return s[start..i];
    }

    private static bool IsToken68(ReadOnlySpan<char> value)
    {
        var body = value.TrimEnd('=');
        foreach (var c in body)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' or '+' or '/'))
            {
                return false;
            }
        }

        return !body.IsEmpty;
    }

    private static void SkipWhitespace(ReadOnlySpan<char> s, ref int i)
    {
        while (i < s.Length && (s[i] == ' ' || s[i] == '\t'))
        {
            i++;
        }
    }

    private static void SkipSeparators(ReadOnlySpan<char> s, ref int i)
    {
        while (i < s.Length && (s[i] == ' ' || s[i] == '\t' || s[i] == ','))
        {
            i++;
        }
    }

    private static bool IsTChar(char c) => c switch
    {
        >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' => true,
        '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~' => true,
        _ => false,
    };
}
