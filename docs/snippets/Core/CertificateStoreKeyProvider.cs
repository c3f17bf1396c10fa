using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DPoP.Http.Docs.Snippets.Core;

#region certificate-store-provider
/// <summary>
/// DPoP keys held by the operating system's certificate store: one certificate per key name (its subject is
/// "CN=dpop-{keyName}"), with an EC private key that may be non-exportable (smart card, TPM, HSM-backed store).
/// </summary>
public sealed class CertificateStoreKeyProvider : IDPoPKeyProvider, IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<(DPoPKey Key, ECDsa Ecdsa)>> _keys = new(StringComparer.Ordinal);

    public ValueTask<DPoPKey> GetKeyAsync(string keyName, CancellationToken cancellationToken) =>
        // Called on every request: answer from memory, synchronously.
        ValueTask.FromResult(_keys.GetOrAdd(keyName, name => new(() => Load(name))).Value.Key);

    private static (DPoPKey, ECDsa) Load(string keyName)
    {
        using var store = new X509Store(StoreName.My, StoreLocation.CurrentUser);
        store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
        var found = store.Certificates.Find(X509FindType.FindBySubjectDistinguishedName, $"CN=dpop-{keyName}", validOnly: false);
        try
        {
            var certificate = found.Count == 1 ? found[0] : throw new InvalidOperationException($"No single certificate for DPoP key '{keyName}'.");
            var ecdsa = certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException($"The certificate of DPoP key '{keyName}' has no EC private key.");

            // Proofs are signed through the ECDsa object; the private key never has to leave the store.
            // DPoPKey does not own an instance passed to FromECDsa: this provider disposes it.
            return (DPoPKey.FromECDsa(ecdsa), ecdsa);
        }
        finally
        {
            foreach (var certificate in found)
            {
                certificate.Dispose();
            }
        }
    }

    public void Dispose()
    {
        foreach (var entry in _keys.Values)
        {
            if (entry.IsValueCreated)
            {
                entry.Value.Key.Dispose();
                entry.Value.Ecdsa.Dispose();
            }
        }
    }
}
#endregion
