namespace DPoP.Http.Internal;

/// <summary>The character rules RFC 9449 and RFC 9110 put on what goes into a proof or a header.</summary>
internal static class DPoPSyntax
{
    /// <summary>
    /// Longest nonce accepted from a server or a caller. RFC 9449 sets no limit; nonces seen in practice are
    /// well under 200 characters, and a header value of kilobytes would be copied into every proof.
    /// </summary>
    public const int MaxNonceLength = 2048;

    /// <summary>RFC 9110 §5.6.2: <c>tchar</c>, the characters of a method name.</summary>
    public static bool IsToken(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!IsTokenChar(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>RFC 9449 §8.1: <c>nonce = 1*NQCHAR</c>, <c>NQCHAR = %x21 / %x23-5B / %x5D-7E</c>.</summary>
    public static bool IsNonce(ReadOnlySpan<char> value)
    {
        // Vectorized: visible ASCII (%x21-7E) without the quote (%x22) and the backslash (%x5C).
        return !value.IsEmpty && value.Length <= MaxNonceLength &&
            !value.ContainsAnyExceptInRange('!', '~') && !value.ContainsAny('"', '\\');
    }

    /// <summary>
    /// An access token as it may appear after <c>Authorization: DPoP</c>: visible ASCII without spaces
    /// (RFC 6749 §A.12 allows VSCHAR; RFC 9449 §7.1 uses token68, a subset). <c>ath</c> hashes its ASCII bytes.
    /// </summary>
    public static bool IsAccessToken(ReadOnlySpan<char> value) =>
        !value.IsEmpty && !value.ContainsAnyExceptInRange('!', '~'); // vectorized: tokens run to hundreds of characters

    public static void ThrowIfInvalidMethod(string? method, string paramName)
    {
        ArgumentNullException.ThrowIfNull(method, paramName);
        if (string.IsNullOrWhiteSpace(method))
        {
            throw new ArgumentException("The HTTP method must not be empty or whitespace.", paramName);
        }

        if (!IsToken(method))
        {
            throw new ArgumentException("The HTTP method must be an RFC 9110 token (letters, digits and !#$%&'*+-.^_`|~ only).", paramName);
        }
    }

    public static void ThrowIfInvalidAccessToken(string? accessToken, string paramName)
    {
        ArgumentNullException.ThrowIfNull(accessToken, paramName);
        if (accessToken.Length == 0)
        {
            throw new ArgumentException("The access token must not be empty.", paramName);
        }

        if (!IsAccessToken(accessToken))
        {
            throw new ArgumentException("The access token must consist of visible ASCII characters (%x21-7E) without spaces.", paramName);
        }
    }

    public static void ThrowIfInvalidNonce(string? nonce, string paramName)
    {
        ArgumentNullException.ThrowIfNull(nonce, paramName);
        if (nonce.Length > MaxNonceLength)
        {
            throw new ArgumentException($"The nonce must not be longer than {MaxNonceLength} characters.", paramName);
        }

        if (!IsNonce(nonce))
        {
            throw new ArgumentException("The nonce must be 1*NQCHAR (RFC 9449 §8.1): visible ASCII without '\"' or '\\'.", paramName);
        }
    }

    private static bool IsTokenChar(char c) => c switch
    {
        >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' => true,
        '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~' => true,
        _ => false,
    };
}
