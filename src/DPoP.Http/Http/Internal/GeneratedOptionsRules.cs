using Microsoft.Extensions.Options;

namespace DPoP.Http.Internal;

/// <summary>
/// Reads the failures of a validator the Options source generator wrote (<c>[OptionsValidator]</c>) as the library's
/// hand-written messages read, ready for the prefix that names the client or scheme: the generator says
/// <c>"MaxRedirects: The field orders.MaxRedirects must be between 0 and 2147483647."</c>; this gives
/// <c>"MaxRedirects must be between 0 and 2147483647."</c>.
/// </summary>
/// <remarks>
/// The generator's trim-safe copy of <c>RangeAttribute</c> (Microsoft.Extensions.Options 10.0) ignores the attribute's
/// <c>ErrorMessage</c>; the attributes keep theirs for reflection-based validation and for a generator that honours
/// it, and a message of that form (<c>"MaxRedirects: must be zero or more."</c>) is read the same way.
/// </remarks>
internal static class GeneratedOptionsRules
{
    /// <summary>
    /// Why a <c>[Range(typeof(TimeSpan), …)]</c> on an options property is safe when trimmed: the generated validator
    /// checks it with its own copy of the attribute, which parses the bounds without reflection.
    /// </summary>
    public const string TrimSafeRange = "Checked by the validator the Options source generator writes, which parses the bounds without reflection.";

    private const string FieldPrefix = "The field ";

    /// <summary>One problem per failure, each starting with <paramref name="path"/> (e.g. <c>"Handler."</c>) and the property's name.</summary>
    public static IEnumerable<string> Problems(ValidateOptionsResult result, string path = "")
    {
        if (!result.Failed || result.Failures is null)
        {
            yield break;
        }

        foreach (var failure in result.Failures)
        {
            var colon = failure.IndexOf(": ", StringComparison.Ordinal);
            if (colon < 0)
            {
                yield return path + failure;
                continue;
            }

            var rule = failure.AsSpan(colon + 2);
            var must = rule.IndexOf(" must ", StringComparison.Ordinal);
            if (rule.StartsWith(FieldPrefix, StringComparison.Ordinal) && must > 0)
            {
                rule = rule[(must + 1)..]; // "The field <display name> must …" → "must …": the property is named once, with its path
            }

            yield return string.Concat(path, failure.AsSpan(0, colon), " ", rule);
        }
    }
}
