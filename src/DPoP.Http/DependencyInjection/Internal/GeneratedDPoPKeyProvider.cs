using System.Collections.Concurrent;

namespace DPoP.Http.Internal;

/// <summary>
/// The default key provider: one key generated per key name, kept for the app's lifetime, disposed with the
/// container. Tokens bound to these keys do not survive a restart; configure a key when they must.
/// </summary>
internal sealed class GeneratedDPoPKeyProvider : IDPoPKeyProvider, IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<DPoPKey>> _keys = new(StringComparer.Ordinal);

    public ValueTask<DPoPKey> GetKeyAsync(string keyName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keyName);
        return ValueTask.FromResult(GetOrCreate(keyName, algorithm: null));
    }

    /// <summary>The key for <paramref name="keyName"/>, generated on first use with <paramref name="algorithm"/> (ES256 when null).</summary>
    /// <exception cref="InvalidOperationException">The key exists with another algorithm: two clients share a key name but not an algorithm.</exception>
    public DPoPKey GetOrCreate(string keyName, string? algorithm)
    {
        var requested = algorithm ?? DPoPAlgorithms.ES256;
        var key = _keys.GetOrAdd(keyName, static (_, alg) => new Lazy<DPoPKey>(() => DPoPKey.Generate(alg)), requested).Value;
        if (algorithm is not null && !string.Equals(key.Algorithm, algorithm, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"The DPoP key '{keyName}' was generated for {key.Algorithm}, but a client sharing it asks for {algorithm}. Clients that share a KeyName must use the same Algorithm.");
        }

        return key;
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
