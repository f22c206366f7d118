// How bpmn-js reads and writes SpiffWorkflow's extension elements (the task properties form,
// due and the rest, and scripts), so the editor keeps them and can change them.
export const spiffworkflowModdle = {
  name: "SpiffWorkflow",
  prefix: "spiffworkflow",
  uri: "http://spiffworkflow.org/bpmn/schema/1.0/core",
  xml: { tagAlias: "lowerCase" },
  associations: [],
  types: [
    {
      name: "Properties",
      superClass: ["Element"],
      properties: [{ name: "properties", type: "Property", isMany: true }],
    },
    {
      name: "Property",
      superClass: ["Element"],
      properties: [
        { name: "name", type: "String", isAttr: true },
        { name: "value", type: "String", isAttr: true },
      ],
    },
    ...["PreScript", "PostScript", "InstructionsForEndUser", "CalledDecisionId"].map((name) => ({
      name,
      superClass: ["Element"],
      properties: [{ name: "value", type: "String", isBody: true }],
    })),
  ],
};
