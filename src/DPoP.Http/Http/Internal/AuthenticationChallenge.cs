namespace DPoP.Http.Internal;

/// <summary>One challenge of a <c>WWW-Authenticate</c> header (RFC 9110 §11.6.1): a scheme with parameters or a token68.</summary>
internal sealed class AuthenticationChallenge(string scheme)
{
    public string Scheme { get; } = scheme;

    public string? Token68 { get; set; }

    /// <summary>Parameter names are case-insensitive (RFC 9110 §11.2); the first occurrence of a name wins.</summary>
    public Dictionary<string, string> Parameters { get; } = new(StringComparer.OrdinalIgnoreCase);
}
