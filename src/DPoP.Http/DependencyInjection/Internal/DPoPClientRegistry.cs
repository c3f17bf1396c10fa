using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace DPoP.Http.Internal;

/// <summary>
/// The names of the HttpClients that called <c>AddDPoP()</c>, and of the token endpoint clients the library
/// registers itself, in both packages (with the key they sign with); one instance per service collection.
/// </summary>
internal sealed class DPoPClientRegistry
{
    private readonly ConcurrentDictionary<string, byte> _names = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DPoPTokenEndpointClient> _tokenEndpointClients = new(StringComparer.Ordinal);

    public void Add(string clientName) => _names.TryAdd(clientName, 0);

    public bool Contains(string clientName) => _names.ContainsKey(clientName);

    /// <summary>
    /// Registers <paramref name="apiClientName"/>'s token endpoint client: a DPoP client whose handler the pipeline
    /// filter adds innermost when the pipeline is built, so any handler the app adds to it wraps DPoP.
    /// </summary>
    /// <returns>The token endpoint client's name.</returns>
    public string AddTokenEndpointClient(string apiClientName) => AddTokenEndpointClient(TokenClientName(apiClientName), apiClientName);

    /// <summary>Registers <paramref name="tokenClientName"/> as a token endpoint client signing with <paramref name="apiClientName"/>'s key.</summary>
    /// <returns>The token endpoint client's name.</returns>
    public string AddTokenEndpointClient(string tokenClientName, string apiClientName) =>
        Add(tokenClientName, new DPoPTokenEndpointClient(apiClientName, Scheme: null));

    /// <summary>
    /// Registers <paramref name="tokenClientName"/> as the token endpoint client of the OpenID Connect scheme
    /// <paramref name="scheme"/> (DPoP.Http.AspNetCore): each of its requests carries the key of the session it serves.
    /// </summary>
    /// <returns>The token endpoint client's name.</returns>
    public string AddSchemeTokenEndpointClient(string tokenClientName, string scheme) =>
        Add(tokenClientName, new DPoPTokenEndpointClient(ApiClientName: null, scheme));

    /// <summary>Whether <paramref name="clientName"/> is a token endpoint client, and which key and name it signs and reports with.</summary>
    public bool TryGetTokenEndpointClient(string clientName, [NotNullWhen(true)] out DPoPTokenEndpointClient? tokenClient) =>
        _tokenEndpointClients.TryGetValue(clientName, out tokenClient);

    /// <summary>The name of the internal HttpClient that calls the token endpoint for <paramref name="clientName"/>.</summary>
    public static string TokenClientName(string clientName) => "DPoP.Http.TokenEndpoint:" + clientName;

    private string Add(string tokenClientName, DPoPTokenEndpointClient tokenClient)
    {
        _tokenEndpointClients.TryAdd(tokenClientName, tokenClient);
        Add(tokenClientName);
        return tokenClientName;
    }
}
