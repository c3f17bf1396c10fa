using Microsoft.Extensions.Options;

namespace DPoP.Http.Internal;

/// <summary>Validates each DPoP client's options at start-up; every message names the client and the property.</summary>
internal sealed class DPoPClientOptionsValidator(DPoPClientRegistry registry) : IValidateOptions<DPoPClientOptions>
{
    public ValidateOptionsResult Validate(string? name, DPoPClientOptions options)
    {
        name ??= Options.DefaultName;
        if (!registry.Contains(name))
        {
            return ValidateOptionsResult.Skip;
        }

        // The key settings first (DI only), then the handler's own rules; one message per broken rule.
        var problems = new List<string>();
        if (options.Algorithm is not null && !DPoPAlgorithms.IsSupported(options.Algorithm))
        {
            problems.Add($"{nameof(options.Algorithm)} is not a supported algorithm (supported: {string.Join(", ", DPoPAlgorithms.Supported)}).");
        }

        if (options.KeyName is not null && string.IsNullOrWhiteSpace(options.KeyName))
        {
            problems.Add($"{nameof(options.KeyName)} must not be empty or whitespace; leave it null to use the client name.");
        }

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

        problems.AddRange(DPoPHandlerOptionsRules.Check(options));
        return problems.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(problems.Select(p => $"DPoP options of HttpClient '{name}': {p}"));
    }
}
