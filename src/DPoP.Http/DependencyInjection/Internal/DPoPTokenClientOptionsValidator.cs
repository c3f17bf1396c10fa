using Microsoft.Extensions.Options;

namespace DPoP.Http.Internal;

/// <summary>Validates each client's token options at start-up; every message names the client and the property.</summary>
internal sealed class DPoPTokenClientOptionsValidator(DPoPClientRegistry registry) : IValidateOptions<DPoPTokenClientOptions>
{
    public ValidateOptionsResult Validate(string? name, DPoPTokenClientOptions options)
    {
        name ??= Options.DefaultName;
        var problems = DPoPTokenClientOptionsRules.Check(options);
        if (!registry.Contains(name))
        {
            problems.Add("AddDPoPClientCredentialsToken() or AddDPoPTokenExchange() needs AddDPoP() on the same client, so that tokens are bound to its key.");
        }

        return problems.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(problems.Select(p => $"DPoP token options of HttpClient '{name}': {p}"));
    }
}
