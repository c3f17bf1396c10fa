using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;

namespace DPoP.Http.Docs.Snippets.Web;

#region vault-key-provider
/// <summary>Keys from the app's secret store (here: configuration backed by a vault), loaded once per key name.</summary>
public sealed class VaultDPoPKeyProvider(IConfiguration configuration) : IDPoPKeyProvider
{
    private readonly ConcurrentDictionary<string, DPoPKey> _keys = new(StringComparer.Ordinal);

    public ValueTask<DPoPKey> GetKeyAsync(string keyName, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_keys.GetOrAdd(keyName, name =>
            DPoPKey.FromPem(configuration[$"DPoP:Keys:{name}"]
                ?? throw new InvalidOperationException($"No DPoP key named '{name}' in the secret store."))));
}
#endregion
