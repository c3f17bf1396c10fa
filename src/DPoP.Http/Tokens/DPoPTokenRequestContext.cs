namespace DPoP.Http;

/// <summary>
/// One outgoing token request, as the token request hook sees it before it is sent: the grant, and what the hook may
/// change (scope, resources, audience and extra parameters). Given to the hook passed to <see cref="DPoPTokenClient"/>
/// or registered with <c>AddDPoPTokenRequestHook()</c>, once per token request of every grant.
/// </summary>
public sealed class DPoPTokenRequestContext
{
    internal DPoPTokenRequestContext(string grantType, string clientId, Uri tokenEndpoint)
    {
        GrantType = grantType;
        ClientId = clientId;
        TokenEndpoint = tokenEndpoint;
    }

    /// <summary>The <c>grant_type</c>: <c>client_credentials</c>, <c>refresh_token</c>, <c>authorization_code</c> or <c>urn:ietf:params:oauth:grant-type:token-exchange</c>.</summary>
    public string GrantType { get; }

    /// <summary>The client identifier.</summary>
    public string ClientId { get; }

    /// <summary>The token endpoint the request goes to.</summary>
    public Uri TokenEndpoint { get; }

    /// <summary>The <c>scope</c> to request, space-separated; null for none.</summary>
    public string? Scope { get; set; }

    /// <summary>The resource indicators (RFC 8707) to request: one <c>resource</c> parameter each.</summary>
    public IList<string> Resources { get; } = [];

    /// <summary>The <c>audience</c> parameter; null for none.</summary>
    public string? Audience { get; set; }

    /// <summary>
    /// Further form parameters: those of <see cref="DPoPTokenClientOptions.Parameters"/> and of the call. The names the
    /// protocol or the client itself sets (<c>grant_type</c>, <c>client_id</c>, <c>client_assertion</c>, <c>code</c>,
    /// <c>refresh_token</c>, <c>subject_token</c>, <c>scope</c>, <c>resource</c>, <c>audience</c>, …) are refused with an
    /// <see cref="ArgumentException"/> when the request is sent.
    /// </summary>
    public IDictionary<string, string> Parameters { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
