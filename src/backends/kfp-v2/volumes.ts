/**
 * `volume(...)` on KFP v2: kfp-kubernetes' CreatePVC and DeletePVC components, whose
 * executors are stubs (`argostub/createpvc`) that KFP's driver recognises and carries out
 * itself from the task's inputs. Their interfaces are kfp-kubernetes' (input names, types,
 * optionality and the `storage_class_name` default of `''`), without its docstrings.
 *
 * KFP v2's driver names the claim `<uuid><pvc_name_suffix>`; kfpdsl passes `-<name>` as the
 * suffix, as the v1 target prefixes the run's name. Without `storage_class`, the driver
 * uses the component's default, `''` (a statically provisioned claim), where the v1 target
 * leaves the cluster's default class: README, "--target kfp-v2".
 */
import type { JsonObject } from './executors.js';

const optional = (parameterType: string, extra: JsonObject = {}): JsonObject => ({ ...extra, isOptional: true, parameterType });

export const CREATE_PVC: { spec: JsonObject; executor: JsonObject } = {
  spec: {
    executorLabel: 'exec-createpvc',
    inputDefinitions: {
      parameters: {
        access_modes: { parameterType: 'LIST' },
        annotations: optional('STRUCT'),
        data_source: optional('STRUCT'),
        pvc_name: optional('STRING'),
        pvc_name_suffix: optional('STRING'),
        size: { parameterType: 'STRING' },
        storage_class_name: optional('STRING', { defaultValue: '' }),
        volume_name: optional('STRING'),
      },
    },
    outputDefinitions: { parameters: { name: { parameterType: 'STRING' } } },
  },
  executor: { container: { image: 'argostub/createpvc' } },
};

export const DELETE_PVC: { spec: JsonObject; executor: JsonObject } = {
  spec: {
    executorLabel: 'exec-deletepvc',
    inputDefinitions: { parameters: { pvc_name: { parameterType: 'STRING' } } },
  },
  executor: { container: { image: 'argostub/deletepvc' } },
};
