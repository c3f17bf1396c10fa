using System.Collections.Concurrent;

namespace DPoP.Http.Internal;

/// <summary>The names of the HttpClients that called <c>AddDPoP()</c>; one instance per service collection.</summary>
internal sealed class DPoPClientRegistry
{
    private readonly ConcurrentDictionary<string, byte> _names = new(StringComparer.Ordinal);

    public void Add(string clientName) => _names.TryAdd(clientName, 0);

    public bool Contains(string clientName) => _names.ContainsKey(clientName);

    /// <summary>The name of the internal HttpClient that calls the token endpoint for <paramref name="clientName"/>.</summary>
    public static string TokenClientName(string clientName) => "DPoP.Http.TokenEndpoint:" + clientName;
}
