namespace DPoP.Http.DemoServer;

/// <summary>An immutable copy of a <see cref="DemoWebClient"/>, with its URIs parsed, and the rules that match them.</summary>
internal sealed class RegisteredWebClient
{
    public RegisteredWebClient(DemoWebClient client)
    {
        ClientId = client.ClientId;
        RedirectUris = [.. client.RedirectUris.Select(uri => new Uri(uri, UriKind.Absolute))];
        PostLogoutRedirectUris = [.. client.PostLogoutRedirectUris.Select(uri => new Uri(uri, UriKind.Absolute))];
    }

    public string ClientId { get; }

    public IReadOnlyList<Uri> RedirectUris { get; }

    public IReadOnlyList<Uri> PostLogoutRedirectUris { get; }

    public bool IsRedirectUri(string? candidate) => Matches(RedirectUris, candidate);

    public bool IsPostLogoutRedirectUri(string? candidate) => Matches(PostLogoutRedirectUris, candidate);

    /// <summary>Whether an option's URI is usable: absolute http(s), no fragment (RFC 6749 §3.1.2).</summary>
    public static bool IsValidRegistration(string? uri) =>
        Uri.TryCreate(uri, UriKind.Absolute, out var parsed) &&
        (parsed.Scheme == Uri.UriSchemeHttp || parsed.Scheme == Uri.UriSchemeHttps) &&
        string.IsNullOrEmpty(parsed.Fragment);

    private static bool Matches(IReadOnlyList<Uri> registered, string? candidate)
    {
        if (!Uri.TryCreate(candidate, UriKind.Absolute, out var uri) || !string.IsNullOrEmpty(uri.Fragment))
        {
            return false;
        }

        foreach (var allowed in registered)
        {
            // RFC 8252 §7.3: on loopback the port is the app's choice at run time; everything else must match exactly.
            if (allowed.IsLoopback && uri.IsLoopback)
            {
                if (string.Equals(allowed.Scheme, uri.Scheme, StringComparison.Ordinal) &&
                    string.Equals(allowed.IdnHost, uri.IdnHost, StringComparison.OrdinalIgnoreCase) &&
                    string.Equals(allowed.PathAndQuery, uri.PathAndQuery, StringComparison.Ordinal))
                {
                    return true;
                }
            }
            else if (string.Equals(allowed.AbsoluteUri, uri.AbsoluteUri, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
