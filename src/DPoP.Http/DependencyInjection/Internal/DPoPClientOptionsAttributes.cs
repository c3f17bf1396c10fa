using Microsoft.Extensions.Options;

namespace DPoP.Http.Internal;

/// <summary>
/// The rules <see cref="DPoPClientOptions"/> states as attributes (ranges), its <see cref="DPoPClientOptions.Handler"/>
/// included, checked by code the Options source generator writes; <see cref="DPoPClientOptionsValidator"/> runs it
/// beside the rules that span properties and registrations.
/// </summary>
[OptionsValidator]
internal sealed partial class DPoPClientOptionsAttributes : IValidateOptions<DPoPClientOptions>;
