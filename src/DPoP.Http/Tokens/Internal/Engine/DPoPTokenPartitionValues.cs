using System.Text;

namespace DPoP.Http.Internal;

/// <summary>
/// The values of one token partition (<see cref="DPoPTokenPartition"/> after the customizer ran), checked and frozen:
/// its <see cref="Key"/> names its token engine entry and goes into its shared cache key; it is applied to each token
/// request of the partition. Holds what may be a secret (a parameter): never logged, never in a tag or ToString().
/// </summary>
internal sealed class DPoPTokenPartitionValues
{
    private DPoPTokenPartitionValues(string? scope, string[] resources, string? audience, KeyValuePair<string, string>[] parameters, string key)
    {
        Scope = scope;
        Resources = resources;
        Audience = audience;
        Parameters = parameters;
        Key = key;
    }

    public string? Scope { get; }

    public IReadOnlyList<string> Resources { get; }

    public string? Audience { get; }

    /// <summary>Sorted by name, so the same values always make the same key.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Parameters { get; }

    /// <summary>Every value, length-prefixed: equal for equal partitions only.</summary>
    public string Key { get; }

    /// <summary>The values <paramref name="partition"/> holds; null for none (the client's default partition).</summary>
    /// <exception cref="ArgumentException">A parameter has a reserved name or a null value.</exception>
    public static DPoPTokenPartitionValues? From(DPoPTokenPartition partition, string clientName)
    {
        if (partition.IsDefault)
        {
            return null;
        }

        var parameters = Sorted(partition.SetParameters);
        foreach (var (name, value) in parameters)
        {
            if (DPoPTokenRequestParameters.Problem(name, value) is { } problem)
            {
                throw new ArgumentException($"The token partition of DPoP client '{clientName}' set a parameter that may not be sent. {problem}", nameof(partition));
            }
        }

        var resources = partition.SetResources.ToArray();
        var key = new StringBuilder(64);
        DPoPTokenCacheKey.Append(key, partition.Scope);
        DPoPTokenCacheKey.Append(key, resources);
        DPoPTokenCacheKey.Append(key, partition.Audience);
        DPoPTokenCacheKey.Append(key, parameters);
        return new DPoPTokenPartitionValues(partition.Scope, resources, partition.Audience, parameters, key.ToString());
    }

    /// <summary>The parameters sorted by name (ordinal).</summary>
    public static KeyValuePair<string, string>[] Sorted(IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var sorted = parameters.ToArray();
        Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return sorted;
    }

    /// <summary>Sets the partition's values on a token request (client credentials), over the client's own.</summary>
    public void ApplyTo(DPoPTokenRequestContext context)
    {
        if (Scope is not null)
        {
            context.Scope = Scope;
        }

        if (Resources.Count > 0)
        {
            context.Resources.Clear();
            foreach (var resource in Resources)
            {
                context.Resources.Add(resource);
            }
        }

        if (Audience is not null)
        {
            context.Audience = Audience;
        }

        foreach (var (name, value) in Parameters)
        {
            context.Parameters[name] = value;
        }
    }

    /// <summary>Sets the partition's values on a token exchange, over what the client's exchange delegate set.</summary>
    public void ApplyTo(DPoPTokenExchangeRequest exchange)
    {
        exchange.Scope = Scope ?? exchange.Scope;
        exchange.Audience = Audience ?? exchange.Audience;
        if (Resources.Count > 0)
        {
            exchange.Resources.Clear();
            foreach (var resource in Resources)
            {
                exchange.Resources.Add(resource);
            }
        }

        foreach (var (name, value) in Parameters)
        {
            exchange.Parameters[name] = value;
        }
    }

    public override string ToString() => "DPoPTokenPartitionValues";
}
