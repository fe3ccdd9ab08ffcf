// Test code keeps importing the temp folders from here; the plan and the scripts use plan/temp.ts.
export { tempDir } from "../../plan/temp";
