using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;

namespace DPoP.Http.Docs.Snippets.Core;

#region encrypted-pem-provider
/// <summary>
/// DPoP keys stored as password-protected PKCS#8 PEM files (ENCRYPTED PRIVATE KEY), the password kept apart
/// from the file, for example in an environment variable or a secret store.
/// </summary>
public sealed class EncryptedPemKeyProvider(IConfiguration configuration) : IDPoPKeyProvider, IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<DPoPKey>> _keys = new(StringComparer.Ordinal);

    public ValueTask<DPoPKey> GetKeyAsync(string keyName, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_keys.GetOrAdd(keyName, name => new(() => Load(name))).Value);

    private DPoPKey Load(string keyName)
    {
        var path = configuration[$"DPoPKeys:{keyName}:Path"]
            ?? throw new InvalidOperationException($"No file is configured for DPoP key '{keyName}'.");
        var password = configuration[$"DPoPKeys:{keyName}:Password"]
            ?? throw new InvalidOperationException($"No password is configured for DPoP key '{keyName}'.");
        return DPoPKey.FromEncryptedPem(File.ReadAllText(path), password);
    }

    public void Dispose()
    {
        foreach (var entry in _keys.Values)
        {
            if (entry.IsValueCreated)
            {
                entry.Value.Dispose();
            }
        }
    }
}
#endregion
