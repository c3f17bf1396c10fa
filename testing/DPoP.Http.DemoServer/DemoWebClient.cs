namespace DPoP.Http.DemoServer;

/// <summary>
/// A confidential web client registered for the authorization code flow (OpenID Connect sign-in): it authenticates
/// with <c>client_secret_basic</c> or <c>client_secret_post</c> and may also use the client credentials grant.
/// </summary>
public sealed class DemoWebClient
{
    /// <summary>The client id; required.</summary>
    public string ClientId { get; set; } = string.Empty;

    /// <summary>The client secret; required.</summary>
    public string ClientSecret { get; set; } = string.Empty;

    /// <summary>
    /// The absolute redirect URIs the client may use. A URI on a loopback host (<c>127.0.0.1</c>, <c>localhost</c>,
    /// <c>[::1]</c>) matches any port, as RFC 8252 §7.3 asks for apps that listen on a port of their choice; any
    /// other part must match exactly.
    /// </summary>
    public IList<string> RedirectUris { get; } = [];

    /// <summary>
    /// The absolute URIs the end-session endpoint may send the user back to (<c>post_logout_redirect_uri</c>),
    /// matched like <see cref="RedirectUris"/>.
    /// </summary>
    public IList<string> PostLogoutRedirectUris { get; } = [];
}
