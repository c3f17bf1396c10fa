namespace DPoP.Http;

/// <summary>Header names and the header set of a DPoP request (RFC 9449 §4.1, §7.1, §8).</summary>
public static class DPoPHeaders
{
    /// <summary>The request header that carries the proof: <c>DPoP</c>.</summary>
    public const string DPoP = "DPoP";

    /// <summary>The response header in which servers hand out nonces: <c>DPoP-Nonce</c>.</summary>
    public const string Nonce = "DPoP-Nonce";

    /// <summary>The authentication scheme of a DPoP-bound access token: <c>Authorization: DPoP &lt;token&gt;</c>.</summary>
    public const string AuthorizationScheme = "DPoP";

    /// <summary>Builds the headers of a DPoP request: <c>DPoP</c> with the proof and, with a token, <c>Authorization: DPoP &lt;token&gt;</c>.</summary>
    /// <param name="proof">A proof from <see cref="DPoPProof.Create(DPoPKey, string, string, string?, string?)"/>.</param>
    /// <param name="accessToken">The DPoP-bound access token, or null for token endpoint requests.</param>
    /// <returns>Header names and values, ready to copy onto a request.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="proof"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="proof"/> is empty or not a compact JWS, or <paramref name="accessToken"/> is empty or not visible ASCII.</exception>
    public static IReadOnlyDictionary<string, string> Build(string proof, string? accessToken = null)
    {
        ArgumentNullException.ThrowIfNull(proof);
        if (string.IsNullOrWhiteSpace(proof))
        {
            throw new ArgumentException("The proof must not be empty.", nameof(proof));
        }

        if (!IsCompactJws(proof))
        {
            throw new ArgumentException("The proof must be a compact JWS (three base64url parts separated by dots).", nameof(proof));
        }

        if (accessToken is null)
        {
            return new Dictionary<string, string>(1, StringComparer.OrdinalIgnoreCase) { [DPoP] = proof }.AsReadOnly();
        }

        DPoPSyntax.ThrowIfInvalidAccessToken(accessToken, nameof(accessToken));
        return new Dictionary<string, string>(2, StringComparer.OrdinalIgnoreCase)
        {
            [DPoP] = proof,
            ["Authorization"] = string.Concat(AuthorizationScheme, " ", accessToken),
        }.AsReadOnly();
    }

    private static bool IsCompactJws(ReadOnlySpan<char> value)
    {
        var dots = 0;
        foreach (var c in value)
        {
            if (c == '.')
            {
                dots++;
            }
            else if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return false;
            }
        }

        return dots == 2;
    }
}
