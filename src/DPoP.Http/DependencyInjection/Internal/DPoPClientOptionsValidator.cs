using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DPoP.Http.Internal;

/// <summary>
/// Validates each DPoP client's options at start-up; every message names the client and the property. The ranges are
/// attributes checked by generated code (<see cref="DPoPClientOptionsAttributes"/>, <see cref="DPoPHandlerOptionsAttributes"/>);
/// written here are the rules that span properties (the key source) or registrations (a setting another registration
/// overrides is refused, never ignored).
/// </summary>
internal sealed class DPoPClientOptionsValidator(DPoPClientRegistry registry, IServiceProvider services) : IValidateOptions<DPoPClientOptions>
{
    private readonly DPoPClientOptionsAttributes _attributes = new();
    private readonly DPoPHandlerOptionsAttributes _handlerAttributes = new();

    public ValidateOptionsResult Validate(string? name, DPoPClientOptions options)
    {
        name ??= Options.DefaultName;
        if (!registry.Contains(name))
        {
            return ValidateOptionsResult.Skip;
        }

        var problems = new List<string>();
        if (options.Algorithm is not null && !DPoPAlgorithms.IsSupported(options.Algorithm))
        {
            problems.Add($"{nameof(options.Algorithm)} is not a supported algorithm (supported: {string.Join(", ", DPoPAlgorithms.Supported)}).");
        }

        if (options.KeyName is not null && string.IsNullOrWhiteSpace(options.KeyName))
        {
            problems.Add($"{nameof(options.KeyName)} must not be empty or whitespace; leave it null to use the client name.");
        }

        CheckKeySource(name, options, problems);
        problems.AddRange(GeneratedOptionsRules.Problems(_attributes.Validate(name, options)));
        problems.AddRange(GeneratedOptionsRules.Problems(_handlerAttributes.Validate(name, options.Handler), "Handler."));
        CheckNonceStore(options, problems);
        return problems.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(problems.Select(p => $"DPoP options of HttpClient '{name}': {p}"));
    }

    private void CheckKeySource(string name, DPoPClientOptions options, List<string> problems)
    {
        var hasInline = !string.IsNullOrEmpty(options.PrivateKey);
        var hasPath = !string.IsNullOrEmpty(options.PrivateKeyPath);
        if (hasInline && hasPath)
        {
            problems.Add($"{nameof(options.PrivateKey)} and {nameof(options.PrivateKeyPath)} are both set; configure one key source.");
        }
        else if (hasPath && !File.Exists(options.PrivateKeyPath))
        {
            problems.Add($"{nameof(options.PrivateKeyPath)} names a file that does not exist ('{options.PrivateKeyPath}').");
        }
        else if ((hasInline || hasPath) && problems.Count == 0 &&
            DPoPKeyText.Problem(options.PrivateKey, options.PrivateKeyPath, options.Algorithm, nameof(options.PrivateKey), nameof(options.PrivateKeyPath)) is { } keyProblem)
        {
            problems.Add(keyProblem);
        }

        if (options.Algorithm is null && !hasInline && !hasPath)
        {
            return; // nothing a provider could override
        }

        // A provider of the client's own comes first (DPoPHandlerFactory.ResolveKeySource): a configured key or
        // algorithm would never be used. Asked for only when there is something to refuse, so that a client without
        // key settings never builds its provider early.
        if (services.GetService<IServiceProviderIsKeyedService>()?.IsKeyedService(typeof(IDPoPKeyProvider), name) == true &&
            services.GetKeyedService<IDPoPKeyProvider>(name) is not null)
        {
            var property = hasInline ? nameof(options.PrivateKey) : hasPath ? nameof(options.PrivateKeyPath) : nameof(options.Algorithm);
            problems.Add($"{property} is set, but a key provider registered for this client (AddDPoPKeyProvider<T>() on its builder, or AddDPoPUserAccessToken()) supplies its key, so it would be ignored; remove it.");
        }
        else if (!hasInline && !hasPath && services.GetRequiredService<IDPoPKeyProvider>() is not GeneratedDPoPKeyProvider)
        {
            problems.Add($"{nameof(options.Algorithm)} is set, but the app's key provider (services.AddDPoPKeyProvider<T>()) supplies this client's key and chooses its algorithm, so it would be ignored; remove it, or configure {nameof(options.PrivateKey)} or {nameof(options.PrivateKeyPath)}.");
        }
    }

    /// <summary>The client's own in-memory store is made only when the app registered none (DPoPHandlerFactory).</summary>
    private void CheckNonceStore(DPoPClientOptions options, List<string> problems)
    {
        if ((options.NonceStoreCapacity is not null || options.NonceLifetime is not null) &&
            services.GetService<IServiceProviderIsService>()?.IsService(typeof(IDPoPNonceStore)) == true)
        {
            var property = options.NonceStoreCapacity is not null ? nameof(options.NonceStoreCapacity) : nameof(options.NonceLifetime);
            problems.Add($"{property} is set, but the app registered its own nonce store (AddDPoPNonceStore<T>() or AddDPoPSharedNonceStore()), which this setting does not reach; remove it, or configure that store.");
        }
    }
}
