using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace DPoP.Http.Internal;

/// <summary>
/// The names of the HttpClients that called <c>AddDPoP()</c>, and of the token endpoint clients the library
/// registers itself (with the API client whose key they sign with); one instance per service collection.
/// </summary>
internal sealed class DPoPClientRegistry
{
    private readonly ConcurrentDictionary<string, byte> _names = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _tokenEndpointClients = new(StringComparer.Ordinal);

    public void Add(string clientName) => _names.TryAdd(clientName, 0);

    public bool Contains(string clientName) => _names.ContainsKey(clientName);

    /// <summary>
    /// Registers <paramref name="apiClientName"/>'s token endpoint client: a DPoP client whose handler the pipeline
    /// filter adds innermost when the pipeline is built, so any handler the app adds to it wraps DPoP.
    /// </summary>
    /// <returns>The token endpoint client's name.</returns>
    public string AddTokenEndpointClient(string apiClientName)
    {
        var tokenClientName = TokenClientName(apiClientName);
        _tokenEndpointClients.TryAdd(tokenClientName, apiClientName);
        Add(tokenClientName);
        return tokenClientName;
    }

    /// <summary>Whether <paramref name="clientName"/> is a token endpoint client, and the API client whose key it signs with.</summary>
    public bool TryGetTokenEndpointClient(string clientName, [NotNullWhen(true)] out string? apiClientName) =>
        _tokenEndpointClients.TryGetValue(clientName, out apiClientName);

    /// <summary>The name of the internal HttpClient that calls the token endpoint for <paramref name="clientName"/>.</summary>
    public static string TokenClientName(string clientName) => "DPoP.Http.TokenEndpoint:" + clientName;
}
