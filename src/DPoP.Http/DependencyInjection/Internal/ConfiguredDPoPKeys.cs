using System.Collections.Concurrent;

namespace DPoP.Http.Internal;

/// <summary>
/// Keys loaded from <see cref="DPoPClientOptions.PrivateKey"/> or <see cref="DPoPClientOptions.PrivateKeyPath"/>,
/// loaded once per key name and kept for the app's lifetime.
/// </summary>
internal sealed class ConfiguredDPoPKeys : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<(DPoPKey Key, string Source)>> _keys = new(StringComparer.Ordinal);

    public DPoPKey Get(string keyName, DPoPClientOptions options)
    {
        var source = options.PrivateKeyPath is { Length: > 0 } path ? "file " + Path.GetFullPath(path) : "inline key";
        var entry = _keys.GetOrAdd(keyName, _ => new Lazy<(DPoPKey, string)>(() => (Load(options), source))).Value;
        if (!string.Equals(entry.Source, source, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"Two DPoP clients configure different keys under the key name '{keyName}' ({entry.Source} and {source}). Give them different KeyNames, or the same key.");
        }

        return entry.Key;
    }

    /// <summary>Parses a configured key; the messages name the source and the rule, never the key.</summary>
    public static DPoPKey Load(DPoPClientOptions options) => DPoPKeyText.Load(options.PrivateKey, options.PrivateKeyPath, options.Algorithm);

    public void Dispose()
    {
        foreach (var entry in _keys.Values)
        {
            if (entry.IsValueCreated)
            {
                entry.Value.Key.Dispose();
            }
        }
    }
}
